import {
  type DynamicSupervisorRef,
  DuplicateRegistry,
  type Pid,
  type ProcessContext,
  Registry,
  type Runtime,
  type ServerBehaviour,
  startDynamicSupervisor,
} from '@quiesce/runtime';
import { type Compute, type ComputeStatus, type Job, type Provider, ProviderError, type SpawnRequest } from './provider.js';

/** What subscribers receive, as messages to their process. */
export type ComputeEvent =
  | { type: 'compute.spawned'; id: string; gpu: string; status: ComputeStatus }
  | { type: 'compute.status'; id: string; from: ComputeStatus; status: ComputeStatus }
  | { type: 'compute.unreachable'; id: string; error: string }
  | { type: 'compute.lost'; id: string }
  | { type: 'compute.terminated'; id: string };

export interface OrchestratorOptions {
  provider: Provider;
  /** How often each compute's status is polled, in clock ms. Default 5000. */
  pollInterval?: number;
  /** A dynamic supervisor to run the trackers under (a test passes `await system.startDynamic()`); default: one of its own. */
  supervisor?: DynamicSupervisorRef;
  /** At most this many computes at once when the orchestrator starts its own supervisor. Default 16. */
  maxComputes?: number;
}

/** What the registry holds for each compute: its tracker process is the key's owner. */
export interface ComputeEntry {
  gpu: string;
  image: string;
}

const TOPIC = 'computes';

/**
 * Keeps one tracker process per compute under a dynamic supervisor, registered by compute id,
 * polls each compute's status on the runtime's clock and publishes changes to subscribers.
 * Runs on any Runtime: a real-clock one in production, a test's virtual-clock one in tests.
 */
export class Orchestrator {
  readonly registry: Registry<ComputeEntry>;
  readonly #subscribers: DuplicateRegistry;

  private constructor(
    readonly runtime: Runtime,
    readonly provider: Provider,
    readonly supervisor: DynamicSupervisorRef,
    readonly pollInterval: number,
  ) {
    this.registry = new Registry<ComputeEntry>(runtime, 'computes');
    this.#subscribers = new DuplicateRegistry(runtime, 'compute-subscribers');
  }

  static async start(runtime: Runtime, options: OrchestratorOptions): Promise<Orchestrator> {
    const { provider, pollInterval = 5000, maxComputes = 16 } = options;
    if (!Number.isInteger(pollInterval) || pollInterval < 1) {
      throw new ProviderError('INVALID_REQUEST', `Orchestrator options.pollInterval: got ${JSON.stringify(pollInterval)}; expected a positive integer of ms`);
    }
    const supervisor = options.supervisor ?? (await startDynamicSupervisor(runtime, { maxChildren: maxComputes, label: 'computes' }));
    return new Orchestrator(runtime, provider, supervisor, pollInterval);
  }

  /** `pid` receives every ComputeEvent from now on, until it exits. */
  subscribe(pid: Pid): void {
    this.#subscribers.register(TOPIC, pid);
  }

  /** Spawn a compute and start tracking it. Nothing is left half started: a compute whose tracker cannot start is terminated. */
  async spawn(request: SpawnRequest): Promise<Compute> {
    const compute = await this.provider.spawnCompute(request);
    try {
      await this.supervisor.startChild({
        id: compute.id, // the child's label in the history
        start: (ctx) => ctx.startServer(tracker, { orchestrator: this, compute }),
        restart: 'transient',
        shutdown: 1000,
      });
    } catch (error) {
      // An untracked compute would run (and bill) unwatched.
      await this.provider.terminate(compute.id).catch(() => undefined);
      throw error;
    }
    this.publish({ type: 'compute.spawned', id: compute.id, gpu: compute.gpu, status: compute.status });
    return compute;
  }

  /** The ids of the computes being tracked. */
  computes(): string[] {
    return this.registry.keys();
  }

  /** The tracker process of a compute, or undefined when it is not tracked. */
  trackerOf(computeId: string): Pid | undefined {
    return this.registry.whereis(computeId);
  }

  async runJob(computeId: string, command: string): Promise<Job> {
    if (!this.trackerOf(computeId)) throw new ProviderError('NOT_FOUND', `compute ${computeId} is not tracked by this orchestrator`);
    return this.provider.runJob(computeId, command);
  }

  /** Terminate a compute through its tracker; resolves once the provider confirmed it. */
  async terminate(computeId: string): Promise<void> {
    const pid = this.trackerOf(computeId);
    if (!pid) throw new ProviderError('NOT_FOUND', `compute ${computeId} is not tracked by this orchestrator`);
    await this.runtime.call(pid, 'terminate', 'infinity');
  }

  /** Send an event to every subscriber (from a tracker's process when `ctx` is given, so its events keep their order). */
  publish(event: ComputeEvent, ctx?: ProcessContext): void {
    this.#subscribers.dispatch(TOPIC, (entries) => {
      for (const { pid } of entries) ctx ? ctx.send(pid, event) : this.runtime.send(pid, event);
    });
  }
}

interface TrackerState {
  orchestrator: Orchestrator;
  compute: Compute;
  status: ComputeStatus;
  unreachable: boolean;
}

const TERMINAL: readonly ComputeStatus[] = ['failed', 'terminated'];

/** One compute's tracker: registered under the compute's id, polling its status on the clock. */
const tracker: ServerBehaviour<TrackerState, { orchestrator: Orchestrator; compute: Compute }> = {
  init({ orchestrator, compute }, ctx) {
    // Registered by the process itself, so a restarted tracker takes its key back.
    orchestrator.registry.register(compute.id, ctx.self, { gpu: compute.gpu, image: compute.image });
    ctx.sendAfter(orchestrator.pollInterval, 'poll');
    return { state: { orchestrator, compute, status: compute.status, unreachable: false } };
  },

  async handleInfo(message, state, ctx) {
    if (message !== 'poll') return { state };
    const { orchestrator, compute } = state;
    let status: ComputeStatus;
    try {
      status = await orchestrator.provider.getStatus(compute.id);
    } catch (error) {
      if (error instanceof ProviderError && error.code === 'NOT_FOUND') {
        orchestrator.publish({ type: 'compute.lost', id: compute.id }, ctx);
        return { stop: 'normal', state };
      }
      if (error instanceof ProviderError && error.code === 'UNAVAILABLE') {
        // Said once per outage; polling goes on.
        if (!state.unreachable) orchestrator.publish({ type: 'compute.unreachable', id: compute.id, error: error.message }, ctx);
        ctx.sendAfter(orchestrator.pollInterval, 'poll');
        return { state: { ...state, unreachable: true } };
      }
      throw error; // anything else is a bug: crash, and the supervisor restarts the tracker
    }
    if (status !== state.status) orchestrator.publish({ type: 'compute.status', id: compute.id, from: state.status, status }, ctx);
    if (TERMINAL.includes(status)) return { stop: 'normal', state: { ...state, status } };
    ctx.sendAfter(orchestrator.pollInterval, 'poll');
    return { state: { ...state, status, unreachable: false } };
  },

  async handleCall(request, _from, state, ctx) {
    if (request !== 'terminate') return { reply: new ProviderError('INVALID_REQUEST', `unknown request ${JSON.stringify(request)}`), state };
    await state.orchestrator.provider.terminate(state.compute.id);
    state.orchestrator.publish({ type: 'compute.terminated', id: state.compute.id }, ctx);
    return { stop: 'normal', reply: 'ok', state: { ...state, status: 'terminated' } };
  },
};
