import { InvalidOptionError, QuiesceError } from '../errors.js';
import { checkKnownKeys, checkObject } from '../checks/options.js';
import type { SupervisorEventKind, QuiesceEvents } from '../kernel/events.js';
import { isExitMessage, isNormalExit, serialiseReason, type ExitReason } from '../process/exit-reason.js';
import { Pid } from '../process/pid.js';
import type { ProcessContext, Runtime } from '../process/runtime.js';
import { startServer } from '../server/server.js';
import { startChildProcess, stopSupervisorProcess, terminateChild } from './child-ops.js';
import { RestartIntensity } from './intensity.js';
import { normaliseChildSpec, normaliseFlags, type ChildSpec, type NormalisedChildSpec } from './spec.js';

export interface DynamicSupervisorOptions {
  /** Most children alive at once; startChild beyond it fails with MAX_CHILDREN. Default unlimited. */
  maxChildren?: number;
  /** Default 1 (OTP). */
  intensity?: number;
  /** Seconds. Default 5. */
  period?: number;
  name?: string;
  label?: string;
  link?: Pid;
}

interface DynState {
  readonly label: string;
  maxChildren: number;
  readonly intensity: RestartIntensity;
  /** In start order. */
  children: Array<{ spec: NormalisedChildSpec; pid: Pid }>;
  nextAnon: number;
}

/**
 * A supervisor that starts with no children and adds them on demand (Elixir's DynamicSupervisor,
 * OTP's simple_one_for_one): one_for_one, children identified by pid, shut down together.
 */
export class DynamicSupervisorRef {
  readonly runtime: Runtime;
  readonly pid: Pid;
  readonly label: string;
  readonly #state: DynState;

  /** @internal */
  constructor(runtime: Runtime, pid: Pid, state: DynState) {
    this.runtime = runtime;
    this.pid = pid;
    this.label = state.label;
    this.#state = state;
  }

  get maxChildren(): number {
    return this.#state.maxChildren;
  }

  /**
   * Change the most children alive at once (Infinity: no limit); children beyond a lowered limit
   * are left running, new starts are refused with MAX_CHILDREN. Returns the previous limit. For
   * fault injection (@quiesce/chaos's limitChildren), which restores it at teardown.
   */
  setMaxChildren(max: number): number {
    if (!(max === Number.POSITIVE_INFINITY || (Number.isSafeInteger(max) && max >= 0))) {
      throw new InvalidOptionError('setMaxChildren(max)', max, 'an integer >= 0, or Infinity for no limit');
    }
    const previous = this.#state.maxChildren;
    this.#state.maxChildren = max;
    return previous;
  }

  /** Live children in start order. */
  children(): Pid[] {
    return this.runtime.isAlive(this.pid) ? this.#state.children.map((c) => c.pid) : [];
  }

  countChildren(): { active: number; specs: number } {
    const n = this.children().length;
    return { active: n, specs: n };
  }

  /** Start a child; rejects with MAX_CHILDREN at the limit, START_FAILED if its start fails. Resolves undefined on ignore. */
  async startChild(spec: Omit<ChildSpec, 'id'> & { id?: string }): Promise<Pid | undefined> {
    checkObject('startChild(spec)', spec, 'INVALID_CHILD_SPEC');
    const reply = (await this.runtime.call(this.pid, { op: 'start_child', spec }, 'infinity')) as { ok: Pid | undefined } | { error: QuiesceError };
    if ('error' in reply) throw reply.error;
    return reply.ok;
  }

  async terminateChild(pid: Pid): Promise<void> {
    if (!(pid instanceof Pid)) throw new InvalidOptionError('terminateChild(pid)', pid, 'the Pid of a child');
    const reply = (await this.runtime.call(this.pid, { op: 'terminate_child', pid }, 'infinity')) as { ok: undefined } | { error: QuiesceError };
    if ('error' in reply) throw reply.error;
  }

  stop(reason: ExitReason = 'shutdown'): Promise<void> {
    return stopSupervisorProcess(this.runtime, this.pid, reason);
  }
}

const DYNAMIC_KEYS = ['maxChildren', 'intensity', 'period', 'name', 'label', 'link'] as const;

export async function startDynamicSupervisor(runtime: Runtime, options: DynamicSupervisorOptions = {}): Promise<DynamicSupervisorRef> {
  checkObject('dynamic supervisor options', options);
  checkKnownKeys('dynamic supervisor options', options, DYNAMIC_KEYS);
  const flags = normaliseFlags({ intensity: options.intensity, period: options.period } as { intensity?: number; period?: number }, 'dynamicSupervisor');
  const maxChildren = options.maxChildren ?? Number.POSITIVE_INFINITY;
  if (!(maxChildren === Number.POSITIVE_INFINITY || (Number.isInteger(maxChildren) && maxChildren >= 0))) {
    throw new InvalidOptionError('dynamicSupervisor.maxChildren', maxChildren, 'an integer >= 0 (or leave it out for no limit)');
  }
  const label = options.label ?? options.name ?? 'dynamic_supervisor';
  const state: DynState = { label, maxChildren, intensity: new RestartIntensity(flags.intensity, flags.period), children: [], nextAnon: 1 };
  const record = <K extends SupervisorEventKind>(kind: K, data: QuiesceEvents[K]) => runtime.record(kind, label, data);

  const startOne = (ctx: ProcessContext, spec: NormalisedChildSpec) => startChildProcess(runtime, ctx, spec, `${label}/${spec.id}`);

  const shutdownAll = async (ctx: ProcessContext): Promise<void> => {
    // Dynamic children stop together, as OTP does for simple_one_for_one.
    const children = state.children;
    state.children = [];
    await Promise.all(
      children.map(async (c) => {
        const reason = await terminateChild(runtime, ctx, c.pid, c.spec.shutdown);
        record('child.terminate', { id: c.spec.id, pid: c.pid.toString(), reason: serialiseReason(reason) });
      }),
    );
  };

  /** Count the restart against intensity, then start the child again; a failed start is retried later. */
  const restart = async (ctx: ProcessContext, s: DynState, spec: NormalisedChildSpec): Promise<{ state: DynState } | { stop: ExitReason; state: DynState }> => {
    if (!s.intensity.add(runtime.now())) {
      record('supervisor.intensity', { id: spec.id, intensity: flags.intensity, period: flags.period });
      return { stop: 'shutdown', state: s };
    }
    const outcome = await startOne(ctx, spec);
    if ('error' in outcome) {
      record('child.start_failed', { id: spec.id, reason: serialiseReason(outcome.error) });
      ctx.cast(ctx.self, { $retry: spec });
    } else if (outcome.ok) {
      s.children.push({ spec, pid: outcome.ok });
      record('child.restart', { id: spec.id, pid: outcome.ok.toString() });
    }
    return { state: s };
  };

  const pid = await startServer(
    runtime,
    {
      init(_args: void, ctx) {
        ctx.trapExit(true);
        record('supervisor.start', { strategy: 'one_for_one', dynamic: true, maxChildren: Number.isFinite(maxChildren) ? maxChildren : null });
        return { state };
      },
      async handleCall(request: { op: 'start_child'; spec: ChildSpec } | { op: 'terminate_child'; pid: Pid }, _from, s, ctx) {
        if (request.op === 'terminate_child') {
          const child = s.children.find((c) => c.pid.equals(request.pid));
          if (!child) return { reply: { error: new QuiesceError('CHILD_NOT_FOUND', `terminateChild: ${request.pid} is not a child of ${label}`) }, state: s };
          s.children = s.children.filter((c) => c !== child);
          const reason = await terminateChild(runtime, ctx, child.pid, child.spec.shutdown);
          record('child.terminate', { id: child.spec.id, pid: child.pid.toString(), reason: serialiseReason(reason) });
          return { reply: { ok: undefined }, state: s };
        }
        let spec: NormalisedChildSpec;
        try {
          spec = normaliseChildSpec({ ...request.spec, id: request.spec.id ?? `child${s.nextAnon++}` }, 'startChild', 'never');
        } catch (error) {
          return { reply: { error }, state: s };
        }
        if (s.children.length >= s.maxChildren) {
          runtime.record('supervisor.max_children', label, { maxChildren: s.maxChildren, children: s.children.length });
          return {
            reply: {
              error: new QuiesceError('MAX_CHILDREN', `startChild: ${label} already has maxChildren (${s.maxChildren}) children`, {
                maxChildren: s.maxChildren,
              }),
            },
            state: s,
          };
        }
        const outcome = await startOne(ctx, spec);
        if ('error' in outcome) {
          record('child.start_failed', { id: spec.id, reason: serialiseReason(outcome.error) });
          return {
            reply: {
              error: new QuiesceError('START_FAILED', `startChild(${spec.id}) failed: ${JSON.stringify(serialiseReason(outcome.error))}`, {
                reason: outcome.error,
              }),
            },
            state: s,
          };
        }
        if (outcome.ok) {
          s.children.push({ spec, pid: outcome.ok });
          record('child.start', { id: spec.id, pid: outcome.ok.toString() });
        }
        return { reply: { ok: outcome.ok }, state: s };
      },
      async handleInfo(message, s, ctx) {
        if (typeof message === 'object' && message !== null && '$stop' in message) return { stop: (message as { $stop: ExitReason }).$stop, state: s };
        if (!isExitMessage(message)) return { state: s };
        const child = s.children.find((c) => c.pid.equals(message.from));
        if (!child) return { state: s };
        record('child.exit', { id: child.spec.id, pid: child.pid.toString(), reason: serialiseReason(message.reason), restart: child.spec.restart });
        s.children = s.children.filter((c) => c !== child);
        const restartIt = child.spec.restart === 'permanent' || (child.spec.restart === 'transient' && !isNormalExit(message.reason));
        if (!restartIt) return { state: s };
        return restart(ctx, s, child.spec);
      },
      async handleCast(message, s, ctx) {
        // A restart that failed is retried through the mailbox, each attempt counted (OTP's try_again).
        const retry = (message as { $retry?: NormalisedChildSpec }).$retry;
        return retry ? restart(ctx, s, retry) : { state: s };
      },
      async terminate(reason, _s, ctx) {
        await shutdownAll(ctx);
        record('supervisor.shutdown', { reason: serialiseReason(reason) });
      },
    },
    undefined,
    { ...(options.link ? { link: options.link } : {}), ...(options.name !== undefined ? { name: options.name } : {}), label, timeout: 'infinity' },
  );
  return new DynamicSupervisorRef(runtime, pid, state);
}
