import { randomUUID } from 'node:crypto';
import type { Readable } from 'node:stream';
import { QuiesceError } from '@quiesce/runtime';
import { realNow, withinReal } from '@quiesce/runtime/internal';
import { guide } from '../core/docs.js';
import type { SystemHost } from '../core/host.js';
import { awaitListening } from '../probes/tcp.js';
import type { OwnedResource } from '../core/resources.js';
import { drive, type WaitOptions } from '../waits/driver.js';
import type { ContainerEngine } from './engine.js';
import { watchEngineEvents, type EngineEvent } from './events.js';
import type { ParsedContainer } from './options.js';
import { INSTANCE_LABEL, OWNER, OWNER_LABEL, TEST_LABEL, watchOwnedContainers } from './owner.js';
import type { ContainerSpecLike, EngineContainer, StartedContainerLike } from './types.js';

/** What a container needs from the TestSystem it records into: driving, the history, and its test's id. */
export interface ContainerSystem extends SystemHost {
  readonly testId: string;
}

/** The engine's view of a container's state (`docker inspect`'s State.Status). */
export type ContainerState = 'created' | 'running' | 'paused' | 'restarting' | 'removing' | 'exited' | 'dead' | 'removed';

/** Real milliseconds an engine operation (pause, stop, restart, ...) may take, by default. */
export const DEFAULT_OPERATION_TIMEOUT = 30_000;

/**
 * A container started by `system.container(...)` (or shared by `sharedContainer`), owned like an
 * OS process: labelled with this worker's owner id so the reaper removes it if the worker is
 * killed, a live external actor of its system while it runs or is paused (waits wait for it;
 * virtual time flows with real time), and removed at teardown.
 *
 * History (source `container:<label>`): `container.starting` { image, network }, `container.started`
 * { id, name }, `container.ready` { port?, attempts? }, `container.start_failed` { error },
 * `container.exited` { id, exitCode } and `container.oom` (seen by the engine, whatever the cause),
 * the faults `container.paused`, `container.unpaused`, `container.stopped`, `container.killed`
 * { signal }, `container.restarted` (recorded when asked, before the engine acts), and
 * `container.removed` { id }.
 */
export class ContainerHandle<S extends StartedContainerLike = StartedContainerLike> implements OwnedResource {
  readonly kind = 'container';
  /** The image name, or the container object's image once started. */
  readonly image: string | undefined;
  /** The port it was asked to listen on (`listening`), if any. */
  readonly port: number | undefined;
  /** The source of its history events: `container:<label>`. */
  readonly source: string;
  /** A unique value of its `org.quiesce.instance` label: finds it before its id is known. */
  readonly instance = randomUUID();

  readonly #engine: ContainerEngine;
  readonly #options: ParsedContainer;
  #system: ContainerSystem | undefined;
  #started: S | undefined;
  #id: string | undefined;
  #name: string | undefined;
  #running = false;
  #release: (() => void) | undefined;
  #actor: string | undefined;
  #events: Readable | undefined;
  #removed = false;
  #removing: Promise<void> | undefined;

  /** @internal use `system.container` or `sharedContainer`. */
  constructor(engine: ContainerEngine, options: ParsedContainer, system: ContainerSystem) {
    this.#engine = engine;
    this.#options = options;
    this.#system = system;
    this.image = options.image;
    this.port = options.listening;
    this.source = `container:${options.label}`;
  }

  /** For leak reports and messages: `quiesce/redis:local (3f2a1b9c0d4e)`. */
  get label(): string {
    return `${this.#options.label}${this.#id ? ` (${this.#id.slice(0, 12)})` : ''}`;
  }

  /** The container's id (once started). */
  get id(): string {
    return this.#need('id', this.#id);
  }

  /** The container's name (once started). */
  get name(): string {
    return this.#need('name', this.#name);
  }

  /** What testcontainers' `start()` resolved with (a `StartedTestContainer`, or a module's subclass). */
  get started(): S {
    return this.#need('started', this.#started);
  }

  /** Where to connect: 127.0.0.1 with host networking, else the host testcontainers reports. */
  get host(): string {
    return this.#options.network === 'host' ? '127.0.0.1' : this.started.getHost();
  }

  /** True once it has been removed (at teardown, or a failed start). */
  get removed(): boolean {
    return this.#removed;
  }

  /** The system it records into now (a shared container's changes from test to test). */
  get system(): ContainerSystem | undefined {
    return this.#system;
  }

  /** The engine's handle on it, for anything the harness does not wrap (dockerode's `Container`). */
  engineContainer(): EngineContainer {
    return this.#engine.client.container.getById(this.id);
  }

  /** Its state as the engine reports it now ('removed' once gone). */
  async state(): Promise<ContainerState> {
    if (this.#removed) return 'removed';
    try {
      return (await this.engineContainer().inspect()).State.Status as ContainerState;
    } catch (error) {
      if (statusOf(error) === 404) return 'removed';
      throw engineFailure('inspect', this.label, error);
    }
  }

  /** @internal Create and start it, then wait until it is ready; on failure nothing of it is left. */
  async start(): Promise<void> {
    const system = this.#need('system', this.#system);
    const { startupTimeout } = this.#options;
    watchOwnedContainers(this.#engine.endpoint);
    const spec = this.#spec(system.testId);
    const since = epochSeconds() - 5;
    this.#record('container.starting', { image: this.#options.image ?? null, network: this.#options.network ?? null, instance: this.instance });
    this.#running = true;
    this.#hold();
    const began = realNow();
    const starting = spec.start() as Promise<S>;
    try {
      this.#started = await drive(system, `container ${this.label} to start`, system.runtime.external(boundedReal(starting, startupTimeout, 'start')), {
        timeout: startupTimeout,
      });
      this.#id = this.#started.getId();
      this.#name = this.#started.getName().replace(/^\//, '');
      this.#record('container.started', { id: this.#id.slice(0, 12), name: this.#name });
      // Held again under its full label (with the id), as leak reports and messages name it.
      this.#unhold();
      this.#hold();
      this.#watchEvents(since);
      await this.#ready(Math.max(1, startupTimeout - (realNow() - began)));
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      this.#record('container.start_failed', { error: message.split('\n')[0] ?? message });
      // A start still under way creates the container later: remove it then too, found by its label.
      starting.then(
        () => this.#removeInstance(),
        () => undefined,
      );
      await this.#removeAfterFailedStart();
      throw new QuiesceError('START_FAILED', `container ${this.label} did not start: ${message}${imageHint(message, this.#options.image)}`, { cause: error });
    }
  }

  /**
   * @internal The operations of faults.ts: record `kind` (the fault, as asked, so its effects —
   * an exit, a client's reply — follow it in the history), then run `call` on the engine, driven
   * by the system. A refused call is recorded as `container.operation_failed` and thrown.
   */
  async operate(
    verb: string,
    kind: string,
    data: Record<string, unknown>,
    call: (container: EngineContainer) => Promise<unknown>,
    options: WaitOptions = {},
  ): Promise<void> {
    const system = this.#attached(verb);
    if (this.#removed) throw new QuiesceError('CONTAINER_FAILED', `${verb} ${this.label}: the container has been removed`, { verb });
    const container = this.engineContainer();
    this.#record(kind, { id: this.id.slice(0, 12), ...data });
    const outcome = call(container).catch((error: unknown) => {
      const failure = engineFailure(verb, this.label, error);
      this.#record('container.operation_failed', { id: this.id.slice(0, 12), verb, error: failure.message });
      throw failure;
    });
    const timeout = options.realTimeout ?? options.timeout ?? DEFAULT_OPERATION_TIMEOUT;
    const bounded = system.runtime.external(boundedReal(outcome, timeout, verb));
    await drive(system, `container ${this.label} to ${verb}`, bounded, { timeout: DEFAULT_OPERATION_TIMEOUT, ...options });
  }

  /** @internal It runs again (a start or restart was asked for): count it as live before the engine says so. */
  markRunning(): void {
    this.#running = true;
    this.#hold();
  }

  /** @internal It no longer runs (a stop returned): release the system before the engine's event. */
  markStopped(): void {
    this.#running = false;
    this.#unhold();
  }

  /** @internal Wait until it is ready again (after a start or restart): the `listening` probe, if any. */
  ready(options: WaitOptions = {}): Promise<void> {
    return this.#ready(options.timeout ?? this.#options.startupTimeout);
  }

  /** @internal Record into `system` from now on (a shared container, at the start of a test). */
  attach(system: ContainerSystem): void {
    this.#unhold();
    this.#system = system;
    this.#hold();
  }

  /** @internal Stop recording into the current system (a shared container, at the end of a test). */
  detach(system: ContainerSystem): void {
    if (this.#system !== system) return;
    this.#unhold();
    this.#system = undefined;
  }

  /** Remove it (SIGKILL, or SIGTERM first with `stopTimeout`). Idempotent; teardown calls it. */
  dispose(): Promise<void> {
    this.#removing ??= this.#remove();
    return this.#removing;
  }

  alive(): boolean {
    return !this.#removed;
  }

  // ---------------------------------------------------------------- internals

  #spec(testId: string): ContainerSpecLike<S> {
    const o = this.#options;
    const labels = { [OWNER_LABEL]: OWNER, [INSTANCE_LABEL]: this.instance, [TEST_LABEL]: testId.slice(0, 500) };
    if (o.spec) {
      const spec = o.spec as ContainerSpecLike<S>;
      spec.withLabels(labels);
      if (o.network !== undefined) spec.withNetworkMode(o.network);
      if (o.wait !== undefined) spec.withWaitStrategy(o.wait);
      spec.withStartupTimeout(o.startupTimeout);
      return spec;
    }
    let builder = new this.#engine.testcontainers.GenericContainer(o.image!).withLabels(labels).withStartupTimeout(o.startupTimeout);
    if (o.network !== undefined) builder = builder.withNetworkMode(o.network);
    if (o.command) builder = builder.withCommand([...o.command]);
    if (o.entrypoint) builder = builder.withEntrypoint([...o.entrypoint]);
    if (o.env) builder = builder.withEnvironment({ ...o.env });
    if (o.wait !== undefined) builder = builder.withWaitStrategy(o.wait);
    return builder as unknown as ContainerSpecLike<S>;
  }

  async #ready(timeout: number): Promise<void> {
    const system = this.#attached('ready');
    if (this.port === undefined) {
      this.#record('container.ready', { id: this.id.slice(0, 12) });
      return;
    }
    const { attempts } = await awaitListening(this.port, { system, timeout });
    this.#record('container.ready', { id: this.id.slice(0, 12), port: this.port, attempts });
  }

  /** The engine's events for this container: exits are recorded, and decide whether it is a live actor. */
  #watchEvents(since: number): void {
    const dockerode = this.#engine.client.container.dockerode;
    const id = this.id;
    void watchEngineEvents(dockerode, id, since, (event) => this.#onEngineEvent(event)).then(
      (stream) => {
        if (this.#removed) stream.destroy();
        else this.#events = stream;
      },
      () => undefined, // no event stream: the container is then a live actor until it is removed
    );
  }

  #onEngineEvent(event: EngineEvent): void {
    if (event.action === 'die') {
      this.#record('container.exited', { id: event.id.slice(0, 12), exitCode: event.exitCode ?? null });
      this.markStopped();
    } else if (event.action === 'oom') {
      this.#record('container.oom', { id: event.id.slice(0, 12) });
    } else if (event.action === 'start' || event.action === 'unpause') {
      if (!this.#removed) this.markRunning();
    }
  }

  async #remove(): Promise<void> {
    if (this.#removed) return;
    try {
      if (this.#id === undefined) {
        await this.#removeInstance();
      } else {
        const container = this.engineContainer();
        if (this.#options.stopTimeout > 0) await ignoreGone(container.stop({ t: Math.ceil(this.#options.stopTimeout / 1000) }));
        await ignoreGone(container.remove({ force: true, v: true }));
      }
      this.#removed = true;
      this.#record('container.removed', { id: this.#id?.slice(0, 12) ?? null });
    } catch (error) {
      throw engineFailure('remove', this.label, error);
    } finally {
      this.#events?.destroy();
      this.#running = false;
      this.#unhold();
    }
  }

  async #removeAfterFailedStart(): Promise<void> {
    try {
      await this.#removeInstance();
      this.#removed = true;
    } catch {
      // left for the teardown's leak check, which names it
    } finally {
      this.#running = false;
      this.#unhold();
    }
  }

  /** Force-remove whatever carries this instance's label (it may not have an id here yet). */
  async #removeInstance(): Promise<void> {
    const { dockerode } = this.#engine.client.container;
    const found = await dockerode.listContainers({ all: true, filters: { label: [`${INSTANCE_LABEL}=${this.instance}`] } });
    await Promise.all(found.map((c) => ignoreGone(this.#engine.client.container.getById(c.Id).remove({ force: true, v: true }))));
  }

  #hold(): void {
    if (this.#release || !this.#running || !this.#system || this.#removed) return;
    this.#actor = `container ${this.label}`;
    this.#release = this.#system.runtime.holdExternal(this.#actor);
  }

  /** The runtime external actor it holds while running: teardown ends it by disposing of it. */
  get actor(): string | undefined {
    return this.#actor;
  }

  #unhold(): void {
    const release = this.#release;
    this.#release = undefined;
    this.#actor = undefined;
    release?.();
  }

  #record(kind: string, data: Record<string, unknown>): void {
    this.#system?.record(kind, this.source, data);
  }

  #attached(operation: string): ContainerSystem {
    const system = this.#system;
    if (!system) {
      const why = 'this shared container is not in use by a test now (call use(system) in the test first)';
      throw new QuiesceError('CONTAINER_IN_USE', `${operation} ${this.label}: ${why}`, { operation });
    }
    if (system.tornDown) {
      const why = "the test's system has been torn down; activity after teardown is rejected";
      throw new QuiesceError('AFTER_TEARDOWN', `${operation} ${this.label}: ${why}`, { operation });
    }
    return system;
  }

  #need<T>(what: string, value: T | undefined): T {
    if (value === undefined) throw new QuiesceError('CONTAINER_FAILED', `container ${this.label}: no ${what} yet (it has not started)`, { what });
    return value;
  }
}

/**
 * `promise`, or a rejection after `ms` real milliseconds: what is counted as an external operation
 * must end, or the runtime never comes to rest and its shutdown waits forever (an engine that hangs).
 */
export async function boundedReal<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  const outcome = await withinReal(
    promise.then((value) => ({ value })),
    ms,
  );
  if (outcome === undefined) throw new QuiesceError('TIMEOUT', `the container engine did not answer ${what} within ${ms} ms`, { what });
  return outcome.value;
}

function epochSeconds(): number {
  return Math.floor((performance.timeOrigin + realNow()) / 1000);
}

/** The HTTP status of a dockerode error, if it has one. */
function statusOf(error: unknown): number | undefined {
  const status = (error as { statusCode?: unknown } | null)?.statusCode;
  return typeof status === 'number' ? status : undefined;
}

/** An engine call that may find the container already gone (404) or already stopped (304). */
async function ignoreGone(call: Promise<unknown>): Promise<void> {
  try {
    await call;
  } catch (error) {
    const status = statusOf(error);
    if (status !== 404 && status !== 304) throw error;
  }
}

/** An engine error as a QuiesceError naming the operation, the container and the engine's answer. */
export function engineFailure(verb: string, label: string, error: unknown): QuiesceError {
  if (error instanceof QuiesceError) return error;
  const status = statusOf(error);
  const said = (error as { json?: { message?: unknown } } | null)?.json?.message ?? (error instanceof Error ? error.message : String(error));
  const answered = `the engine answered${status !== undefined ? ` ${status}` : ''}: ${String(said).trim()}`;
  return new QuiesceError('CONTAINER_FAILED', `${verb} ${label}: ${answered}`, { verb, status, cause: error });
}

/** A failed start because the image is missing: say how the project builds its images. */
function imageHint(message: string, image: string | undefined): string {
  if (image === undefined || !/pull|no such image|not found|manifest unknown|registry/i.test(message)) return '';
  return `\n  hint: is the image ${image} on this engine? Without a registry, build it locally (${guide('containers.md', 'Images without a registry (air-gapped CI)')}).`;
}
