import { InvalidOptionError, QuiesceError } from '@quiesce/runtime';
import type { FaultData } from '../events.js';
import type { ArmedFault, Fault } from '../fault.js';
import type { Host } from '../host.js';
import { FAULT_KINDS } from '../kinds.js';

/**
 * What chaos needs of a container: @quiesce/harness's ContainerHandle (what `system.container`
 * resolves with) has all of it.
 */
export interface ChaosContainer {
  readonly kind: string;
  readonly label: string;
  /** Its history events' source: `container:<label>`. */
  readonly source: string;
}

/** Options the harness's container faults take (its WaitOptions, plus `grace` or `signal`); checked there, naming the option. */
export type ContainerFaultOptions = Record<string, unknown>;

/** The harness's container faults (packages/harness/src/containers/faults.ts): chaos records and drives them, and never duplicates them. */
interface HarnessContainerFaults {
  pauseContainer(c: unknown, o?: unknown): Promise<void>;
  unpauseContainer(c: unknown, o?: unknown): Promise<void>;
  stopContainer(c: unknown, o?: unknown): Promise<void>;
  killContainer(c: unknown, o?: unknown): Promise<void>;
  restartContainer(c: unknown, o?: unknown): Promise<void>;
}

/** Loaded on first use, so a script that never touches containers never loads the harness (whose main entry needs Vitest). */
const HARNESS = '@quiesce/harness';
async function harness(): Promise<HarnessContainerFaults> {
  return (await import(/* @vite-ignore */ HARNESS)) as HarnessContainerFaults;
}

type Arm = (type: string, target: string, options: Record<string, unknown>, onHeal: () => void) => ArmedFault;
type Event = (kind: typeof FAULT_KINDS.container, source: string, data: FaultData<typeof FAULT_KINDS.container>) => void;

/**
 * Faults on one container the test's system started (`system.container`), through the engine's
 * API by way of the harness's container faults: each is recorded as `fault.container` { action }
 * before the harness records its own `container.*` event and the engine acts. A container the
 * system did not start (another test's, a shared one, one started by hand) is refused with
 * NOT_OWNED, never touched.
 */
export class ContainerFaults {
  readonly container: ChaosContainer;
  readonly #arm: Arm;
  readonly #event: Event;
  #paused: ArmedFault | undefined;

  /** @internal use chaos(system).container(handle). */
  constructor(container: ChaosContainer, arm: Arm, event: Event) {
    this.container = container;
    this.#arm = arm;
    this.#event = event;
  }

  /** Freeze it (the cgroup freezer): connections stay open, nothing answers. The fault's heal (or `unpause`) thaws it. */
  async pause(options: ContainerFaultOptions = {}): Promise<Fault> {
    if (this.#paused?.active) return this.#paused;
    const h = await harness();
    const fault = this.#arm('container_pause', this.container.source, {}, () => {
      this.#paused = undefined;
      // heal() is synchronous: the thaw goes on; a container removed meanwhile has nothing to thaw.
      void h.unpauseContainer(this.container).catch(() => undefined);
    });
    fault.fire(FAULT_KINDS.container, { action: 'pause', container: this.container.label });
    this.#paused = fault;
    await h.pauseContainer(this.container, options);
    return fault;
  }

  /** Thaw it; it answers what was sent meanwhile. Heals the pause fault. */
  async unpause(options: ContainerFaultOptions = {}): Promise<void> {
    const h = await harness();
    const paused = this.#paused;
    this.#paused = undefined;
    this.#event(FAULT_KINDS.container, this.container.source, { action: 'unpause', container: this.container.label });
    if (paused) paused.retire();
    await h.unpauseContainer(this.container, options);
  }

  /** Stop it: SIGTERM, then SIGKILL after `grace` ms. */
  async stop(options: ContainerFaultOptions = {}): Promise<void> {
    await this.#once('stop', (h) => h.stopContainer(this.container, options));
  }

  /** Send it a signal (`signal`, default SIGKILL). */
  async kill(options: ContainerFaultOptions = {}): Promise<void> {
    await this.#once('kill', (h) => h.killContainer(this.container, options));
  }

  /** Restart it, then wait until it is ready again. */
  async restart(options: ContainerFaultOptions = {}): Promise<void> {
    await this.#once('restart', (h) => h.restartContainer(this.container, options));
  }

  async #once(action: 'stop' | 'kill' | 'restart', run: (h: HarnessContainerFaults) => Promise<void>): Promise<void> {
    const h = await harness();
    this.#event(FAULT_KINDS.container, this.container.source, { action, container: this.container.label });
    await run(h);
  }
}

/** A container handle this host's system owns; anything else is refused before anything is recorded. */
export function checkContainer(host: Host, container: unknown): ChaosContainer {
  const c = container as Partial<ChaosContainer> | null;
  if (typeof c !== 'object' || c === null || c.kind !== 'container' || typeof c.source !== 'string' || typeof c.label !== 'string') {
    throw new InvalidOptionError('container(handle)', container, 'a container from system.container()');
  }
  const system = host.system;
  if (!system?.owns(container)) {
    const whose = system
      ? "this test's system did not start it (another test's, a shared one, or one started by hand)"
      : 'chaos on a bare Runtime owns no containers';
    throw new QuiesceError('NOT_OWNED', `container: ${c.label} is not owned here (${whose}); chaos only touches what the current system started`, {
      operation: 'container',
    });
  }
  return c as ChaosContainer;
}
