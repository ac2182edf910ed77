import { InvalidOptionError, QuiesceError } from '../errors.js';
import { checkKnownKeys, checkObject } from '../internal/options.js';
import type { SupervisorEventKind, QuiesceEvents } from '../kernel/events.js';
import { isExitMessage, isNormalExit, serialiseReason, type ExitReason } from '../process/exit-reason.js';
import { Pid } from '../process/pid.js';
import type { ProcessContext, Runtime } from '../process/runtime.js';
import { startServerOutcome, type ServerBehaviour } from '../server/server.js';
import { RestartIntensity } from './intensity.js';
import {
  assertUniqueIds,
  CHILD_SPEC_KEYS,
  checkSpecId,
  checkSupervisorKeys,
  isSupervisorSpec,
  normaliseChildSpec,
  normaliseFlags,
  type ChildSpec,
  type NormalisedChildSpec,
  type NormalisedFlags,
  type StartContext,
  type SupervisorSpec,
} from './spec.js';
import { childStartContext, startChildProcess, stopSupervisorProcess, terminateChild } from './child-ops.js';

/** A running child's pid, `restarting` while a failed restart waits to be retried, or undefined when not running. */
export type ChildPid = Pid | 'restarting' | undefined;

export interface ChildInfo {
  readonly id: string;
  readonly pid: ChildPid;
  readonly type: NormalisedChildSpec['type'];
  readonly restart: NormalisedChildSpec['restart'];
}

export interface ChildCounts {
  readonly specs: number;
  readonly active: number;
  readonly supervisors: number;
  readonly workers: number;
}

interface ChildState {
  spec: NormalisedChildSpec;
  pid: ChildPid;
}

/** The supervisor's state; read synchronously through its SupervisorRef. */
interface SupState {
  readonly label: string;
  readonly flags: NormalisedFlags;
  /** Left to right, in start order. */
  children: ChildState[];
  readonly intensity: RestartIntensity;
}

type SupCall =
  | { op: 'start_child'; spec: ChildSpec | SupervisorSpec }
  | { op: 'terminate_child'; id: string }
  | { op: 'restart_child'; id: string }
  | { op: 'delete_child'; id: string };

/** Build a supervisor spec: a value, started by `startSupervisor` or placed among another's children. */
export function supervisor(spec: Omit<SupervisorSpec, 'kind'>): SupervisorSpec {
  // Keys are checked where the spec is written; values when it is started (validateSupervisorSpec).
  checkSupervisorKeys('supervisor', spec);
  return { ...spec, kind: 'supervisor' };
}

/** The child fields worker() and serverChild() take besides id and start. */
const CHILD_OPTION_KEYS = CHILD_SPEC_KEYS.filter((k) => k !== 'id' && k !== 'start');

function checkChildOptions(where: string, id: unknown, options: unknown): void {
  checkSpecId(`${where} id`, id);
  checkObject(`${where}(${JSON.stringify(id)}) options`, options, 'INVALID_CHILD_SPEC');
  checkKnownKeys(`${where}(${JSON.stringify(id)}) options`, options, CHILD_OPTION_KEYS, 'INVALID_CHILD_SPEC');
}

/** A worker child spec from a start function. */
export function worker(id: string, start: ChildSpec['start'], options: Omit<ChildSpec, 'id' | 'start'> = {}): ChildSpec {
  checkChildOptions('worker', id, options);
  return { ...options, id, start };
}

/** A child spec that starts a Server with `args`. */
export function serverChild<S, A>(id: string, behaviour: ServerBehaviour<S, A>, args: A, options: Omit<ChildSpec, 'id' | 'start'> = {}): ChildSpec {
  checkChildOptions('serverChild', id, options);
  return { ...options, id, start: (ctx) => ctx.startServer(behaviour, args) };
}

/** Normalise and validate a whole tree before anything starts, so a bad spec leaves nothing behind. */
export function validateSupervisorSpec(spec: SupervisorSpec, where = 'supervisor'): ValidatedSupervisor {
  if (!isSupervisorSpec(spec)) throw new InvalidOptionError(where, spec, 'a supervisor spec built with supervisor({ ... })', 'INVALID_CHILD_SPEC');
  checkSupervisorKeys(where, spec);
  // The same rule as a child's id: a top-level id is the tree's label and the first segment of its paths.
  if (spec.id !== undefined) checkSpecId(`${where}.id`, spec.id);
  const flags = normaliseFlags(spec, where);
  if (!Array.isArray(spec.children)) throw new InvalidOptionError(`${where}.children`, spec.children, 'an array of child specs', 'INVALID_CHILD_SPEC');
  // Array.from visits the holes of a sparse array (map skips them), so a hole is reported as a bad child.
  const children = Array.from(spec.children, (child, i) => {
    if (isSupervisorSpec(child)) {
      const nestedWhere = `${where}.children[${i}]`;
      if (typeof child.id !== 'string')
        throw new InvalidOptionError(`${nestedWhere}.id`, child.id, 'a non-empty string (a nested supervisor needs an id)', 'INVALID_CHILD_SPEC');
      const validated = validateSupervisorSpec(child, `${nestedWhere}(${child.id})`);
      return normaliseChildSpec(supervisorAsChild(child, validated), `${where}.children[${i}]`, flags.autoShutdown);
    }
    return normaliseChildSpec(child, `${where}.children[${i}]`, flags.autoShutdown);
  });
  assertUniqueIds(children, where);
  return { flags, children };
}

/** A supervisor spec, checked and normalised once: what its starts (and restarts) use. */
interface ValidatedSupervisor {
  flags: NormalisedFlags;
  children: NormalisedChildSpec[];
}

/**
 * A nested supervisor as a child of its parent. Its spec was validated with the parent's, so every
 * (re)start reuses that result, as OTP keeps a child spec once the supervisor has it.
 */
function supervisorAsChild(spec: SupervisorSpec, validated: ValidatedSupervisor): ChildSpec {
  return {
    id: spec.id!,
    type: 'supervisor',
    ...(spec.restart !== undefined ? { restart: spec.restart } : {}),
    ...(spec.shutdown !== undefined ? { shutdown: spec.shutdown } : {}),
    ...(spec.significant !== undefined ? { significant: spec.significant } : {}),
    start: async (ctx) => {
      const outcome = await startValidated(ctx.runtime, spec, validated, { link: ctx.parent, label: ctx.path });
      return 'ok' in outcome ? outcome.ok.pid : { error: outcome.error };
    },
  };
}

export interface StartSupervisorOptions {
  link?: Pid;
  name?: string;
  /** History label; defaults to the name, the spec's id, or `supervisor`. */
  label?: string;
}

/** A handle on a running supervisor. Reads are synchronous snapshots; changes go through its mailbox. */
export class SupervisorRef {
  readonly pid: Pid;
  readonly runtime: Runtime;
  readonly label: string;
  readonly #state: SupState;

  /** @internal */
  constructor(runtime: Runtime, pid: Pid, state: SupState) {
    this.runtime = runtime;
    this.pid = pid;
    this.label = state.label;
    this.#state = state;
  }

  get strategy(): NormalisedFlags['strategy'] {
    return this.#state.flags.strategy;
  }

  get flags(): NormalisedFlags {
    return this.#state.flags;
  }

  isAlive(): boolean {
    return this.runtime.isAlive(this.pid);
  }

  /** The pid of child `id` if it is running. */
  child(id: string): Pid | undefined {
    if (typeof id !== 'string') throw childIdError('child', id);
    const pid = this.#state.children.find((c) => c.spec.id === id)?.pid;
    return pid instanceof Pid ? pid : undefined;
  }

  /** A handle on a nested supervisor child. */
  supervisor(id: string): SupervisorRef | undefined {
    const pid = this.child(id);
    return pid ? supervisorRefOf(this.runtime, pid) : undefined;
  }

  /** supervisor:which_children, in start order (OTP lists newest first; we keep the tree's order). */
  whichChildren(): ChildInfo[] {
    if (!this.isAlive()) return [];
    return this.#state.children.map((c) => ({ id: c.spec.id, pid: c.pid, type: c.spec.type, restart: c.spec.restart }));
  }

  countChildren(): ChildCounts {
    const children = this.isAlive() ? this.#state.children : [];
    return {
      specs: children.length,
      active: children.filter((c) => c.pid instanceof Pid && this.runtime.isAlive(c.pid)).length,
      supervisors: children.filter((c) => c.spec.type === 'supervisor').length,
      workers: children.filter((c) => c.spec.type === 'worker').length,
    };
  }

  /** Add and start a child (supervisor:start_child). Resolves to its pid, or undefined if it returned ignore. */
  startChild(spec: ChildSpec | SupervisorSpec): Promise<Pid | undefined> {
    if (typeof spec !== 'object' || spec === null) {
      return Promise.reject(new InvalidOptionError('startChild(spec)', spec, 'a child spec { id, start } or a supervisor spec', 'INVALID_CHILD_SPEC'));
    }
    return this.runtime.call(this.pid, { op: 'start_child', spec } satisfies SupCall, 'infinity').then(unwrapResult<Pid | undefined>);
  }

  /** Stop a child, keeping its spec (supervisor:terminate_child). */
  terminateChild(id: string): Promise<void> {
    if (typeof id !== 'string') return Promise.reject(childIdError('terminateChild', id));
    return this.runtime.call(this.pid, { op: 'terminate_child', id } satisfies SupCall, 'infinity').then(unwrapResult<void>);
  }

  /** Start a stopped child again from its kept spec (supervisor:restart_child). */
  restartChild(id: string): Promise<Pid | undefined> {
    if (typeof id !== 'string') return Promise.reject(childIdError('restartChild', id));
    return this.runtime.call(this.pid, { op: 'restart_child', id } satisfies SupCall, 'infinity').then(unwrapResult<Pid | undefined>);
  }

  /** Remove a stopped child's spec (supervisor:delete_child). */
  deleteChild(id: string): Promise<void> {
    if (typeof id !== 'string') return Promise.reject(childIdError('deleteChild', id));
    return this.runtime.call(this.pid, { op: 'delete_child', id } satisfies SupCall, 'infinity').then(unwrapResult<void>);
  }

  /** Stop the supervisor as its parent would: children right to left, then exit with `reason`. */
  stop(reason: ExitReason = 'shutdown'): Promise<void> {
    return stopSupervisorProcess(this.runtime, this.pid, reason);
  }
}

/** A child id given to a SupervisorRef method must be a string (an unknown one is CHILD_NOT_FOUND). */
function childIdError(operation: string, id: unknown): InvalidOptionError {
  return new InvalidOptionError(`${operation}(id)`, id, 'a child id (a string)');
}

type CallReply<T> = { ok: T } | { error: QuiesceError };

function unwrapResult<T>(reply: unknown): T {
  const r = reply as CallReply<T>;
  if ('error' in r) throw r.error;
  return r.ok;
}

const refs = new WeakMap<Pid, SupervisorRef>();

/** The SupervisorRef of a supervisor pid started by this module, if any. */
export function supervisorRefOf(_runtime: Runtime, pid: Pid): SupervisorRef | undefined {
  return refs.get(pid);
}

export type SupervisorStartOutcome = { ok: SupervisorRef } | { error: unknown };

/** Start a supervisor; failures come back as `{ error }` (the start fails as in OTP). */
export async function startSupervisorOutcome(runtime: Runtime, spec: SupervisorSpec, options: StartSupervisorOptions = {}): Promise<SupervisorStartOutcome> {
  const validated = validateSupervisorSpec(spec);
  checkObject('supervisor options', options);
  checkKnownKeys('supervisor options', options, ['link', 'name', 'label']);
  return startValidated(runtime, spec, validated, options);
}

async function startValidated(
  runtime: Runtime,
  spec: SupervisorSpec,
  { flags, children }: ValidatedSupervisor,
  options: StartSupervisorOptions,
): Promise<SupervisorStartOutcome> {
  const label = options.label ?? options.name ?? spec.id ?? 'supervisor';
  const state: SupState = {
    label,
    flags,
    children: children.map((s) => ({ spec: s, pid: undefined })),
    intensity: new RestartIntensity(flags.intensity, flags.period),
  };
  const outcome = await startServerOutcome(runtime, supervisorBehaviour(runtime, state), undefined, {
    ...(options.link ? { link: options.link } : {}),
    ...(options.name !== undefined ? { name: options.name } : {}),
    label,
    timeout: 'infinity',
  });
  if ('ok' in outcome) {
    const ref = new SupervisorRef(runtime, outcome.ok, state);
    refs.set(outcome.ok, ref);
    return { ok: ref };
  }
  return { error: 'ignore' in outcome ? 'ignore' : outcome.error };
}

/** Start a supervisor tree; rejects with QuiesceError START_FAILED (reason in `details.reason`) if a child fails to start. */
export async function startSupervisor(runtime: Runtime, spec: SupervisorSpec, options: StartSupervisorOptions = {}): Promise<SupervisorRef> {
  const outcome = await startSupervisorOutcome(runtime, spec, options);
  if ('ok' in outcome) return outcome.ok;
  throw new QuiesceError(
    'START_FAILED',
    `supervisor ${options.name ?? spec.id ?? ''} failed to start: ${JSON.stringify(serialiseReason(outcome.error))}`.replace('  ', ' '),
    {
      reason: outcome.error,
    },
  );
}

function supervisorBehaviour(runtime: Runtime, state: SupState): ServerBehaviour<SupState> {
  const record = <K extends SupervisorEventKind>(kind: K, data: QuiesceEvents[K]): void => {
    runtime.record(kind, state.label, data);
  };

  const startOne = (ctx: ProcessContext, child: ChildState) => startChildProcess(runtime, ctx, child.spec, `${state.label}/${child.spec.id}`);

  /**
   * start_children: left to right. Temporary children that return ignore are dropped. Stops at
   * the first failure and reports which child failed.
   */
  const startChildren = async (ctx: ProcessContext, list: ChildState[], restarting: boolean): Promise<{ failed?: { id: string; reason: unknown } }> => {
    for (const child of [...list]) {
      const outcome = await startOne(ctx, child);
      if ('error' in outcome) {
        record('child.start_failed', { id: child.spec.id, reason: serialiseReason(outcome.error) });
        return { failed: { id: child.spec.id, reason: outcome.error } };
      }
      if (outcome.ok === undefined) {
        record('child.ignore', { id: child.spec.id });
        if (child.spec.restart === 'temporary') removeChild(child);
        else child.pid = undefined;
        continue;
      }
      child.pid = outcome.ok;
      record(restarting ? 'child.restart' : 'child.start', { id: child.spec.id, pid: outcome.ok.toString() });
    }
    return {};
  };

  const removeChild = (child: ChildState): void => {
    state.children = state.children.filter((c) => c !== child);
  };

  /** terminate_children: right to left, one at a time; temporary children are dropped. */
  const terminateChildren = async (ctx: ProcessContext, list: ChildState[]): Promise<void> => {
    for (const child of [...list].reverse()) {
      if (child.pid instanceof Pid) {
        const pid = child.pid;
        const reason = await terminateChild(runtime, ctx, pid, child.spec.shutdown);
        record('child.terminate', { id: child.spec.id, pid: pid.toString(), reason: serialiseReason(reason) });
      }
      if (child.spec.restart === 'temporary') removeChild(child);
      else child.pid = undefined;
    }
  };

  /** The strategy's restart; returns the id to try again if a start failed. */
  const restartByStrategy = async (ctx: ProcessContext, child: ChildState): Promise<string | undefined> => {
    const { strategy } = state.flags;
    if (strategy === 'one_for_one') {
      const outcome = await startOne(ctx, child);
      if ('error' in outcome) {
        record('child.start_failed', { id: child.spec.id, reason: serialiseReason(outcome.error) });
        child.pid = 'restarting';
        return child.spec.id;
      }
      child.pid = outcome.ok;
      if (outcome.ok) record('child.restart', { id: child.spec.id, pid: outcome.ok.toString() });
      else record('child.ignore', { id: child.spec.id });
      return undefined;
    }
    const index = state.children.indexOf(child);
    const affected = strategy === 'one_for_all' ? state.children : state.children.slice(index);
    // OTP's del_child: the crashed child is already dead, so terminate_children skips it.
    child.pid = undefined;
    await terminateChildren(ctx, affected);
    // The crashed child is never temporary here, so it is still in the list after terminateChildren.
    const toStart = strategy === 'one_for_all' ? [...state.children] : state.children.slice(state.children.indexOf(child));
    const { failed } = await startChildren(ctx, toStart, true);
    if (!failed) return undefined;
    const failedChild = state.children.find((c) => c.spec.id === failed.id);
    if (failedChild) failedChild.pid = 'restarting';
    return failed.id;
  };

  /** restart/2: count the restart against intensity, then restart by strategy. */
  const restart = async (ctx: ProcessContext, child: ChildState): Promise<'ok' | 'shutdown'> => {
    if (!state.intensity.add(runtime.now())) {
      record('supervisor.intensity', { id: child.spec.id, intensity: state.flags.intensity, period: state.flags.period });
      if (child.spec.restart === 'temporary') removeChild(child);
      else child.pid = undefined;
      return 'shutdown';
    }
    const retryId = await restartByStrategy(ctx, child);
    if (retryId !== undefined) ctx.cast(ctx.self, { $retry: retryId });
    return 'ok';
  };

  /** A child is down and not coming back: forget it, and maybe shut down (significant children). */
  const deleteAndMaybeShutdown = (child: ChildState): 'ok' | 'shutdown' => {
    if (child.spec.restart === 'temporary') removeChild(child);
    else child.pid = undefined;
    if (!child.spec.significant) return 'ok';
    const { autoShutdown } = state.flags;
    if (autoShutdown === 'any_significant') return 'shutdown';
    if (autoShutdown === 'all_significant' && !state.children.some((c) => c.spec.significant && c.pid !== undefined)) return 'shutdown';
    return 'ok';
  };

  /** do_restart: OTP's decision by restart type and exit reason. */
  const onChildExit = async (ctx: ProcessContext, child: ChildState, reason: ExitReason): Promise<'ok' | 'shutdown'> => {
    // The restart type rides along so properties can judge restart decisions from the history alone.
    record('child.exit', { id: child.spec.id, pid: String(child.pid), reason: serialiseReason(reason), restart: child.spec.restart });
    const { restart: type } = child.spec;
    if (type === 'permanent') return restart(ctx, child);
    if (isNormalExit(reason) || type === 'temporary') return deleteAndMaybeShutdown(child);
    return restart(ctx, child);
  };

  const findById = (id: string): ChildState | undefined => state.children.find((c) => c.spec.id === id);

  const stopWith = (reason: ExitReason) => ({ stop: reason, state });

  return {
    async init(_args, ctx) {
      ctx.trapExit(true);
      record('supervisor.start', {
        strategy: state.flags.strategy,
        intensity: state.flags.intensity,
        period: state.flags.period,
        children: state.children.map((c) => c.spec.id),
      });
      const { failed } = await startChildren(ctx, state.children, false);
      if (failed) {
        await terminateChildren(ctx, state.children);
        return { stop: { shutdown: { failed_to_start_child: failed.id, reason: serialiseReason(failed.reason) } } };
      }
      return { state };
    },

    async handleInfo(message, _s, ctx) {
      if (typeof message === 'object' && message !== null && '$stop' in message) {
        return stopWith((message as { $stop: ExitReason }).$stop);
      }
      if (!isExitMessage(message)) return { state };
      const child = state.children.find((c) => c.pid instanceof Pid && c.pid.equals(message.from));
      if (!child) return { state };
      const outcome = await onChildExit(ctx, child, message.reason);
      return outcome === 'shutdown' ? stopWith('shutdown') : { state };
    },

    async handleCast(message, _s, ctx) {
      const retryId = (message as { $retry?: string }).$retry;
      const child = retryId === undefined ? undefined : findById(retryId);
      if (child?.pid !== 'restarting') return { state };
      const outcome = await restart(ctx, child);
      return outcome === 'shutdown' ? stopWith('shutdown') : { state };
    },

    async handleCall(request: SupCall, _from, _s, ctx) {
      const reply = (value: CallReply<unknown>) => ({ reply: value, state });
      const error = (code: 'CHILD_NOT_FOUND' | 'CHILD_RUNNING' | 'CHILD_RESTARTING' | 'START_FAILED', message: string) =>
        reply({ error: new QuiesceError(code, message) });
      // OTP answers {error, restarting} for a child whose failed restart waits to be retried, {error, running} otherwise.
      const notStopped = (op: string, child: ChildState) =>
        child.pid === 'restarting'
          ? error('CHILD_RESTARTING', `${op}: child ${JSON.stringify(child.spec.id)} is restarting (a failed restart is waiting to be retried)`)
          : error('CHILD_RUNNING', `${op}: child ${JSON.stringify(child.spec.id)} is running`);
      switch (request.op) {
        case 'start_child': {
          let spec: NormalisedChildSpec;
          try {
            const raw = request.spec;
            spec = isSupervisorSpec(raw)
              ? normaliseChildSpec(supervisorAsChild(raw, validateSupervisorSpec(raw, 'startChild')), 'startChild', state.flags.autoShutdown)
              : normaliseChildSpec(raw, 'startChild', state.flags.autoShutdown);
          } catch (e) {
            return reply({ error: e as QuiesceError });
          }
          if (findById(spec.id))
            return reply({
              error: new QuiesceError('DUPLICATE_CHILD_ID', `startChild: a child with id ${JSON.stringify(spec.id)} already exists`, { id: spec.id }),
            });
          const child: ChildState = { spec, pid: undefined };
          const outcome = await startOne(ctx, child);
          if ('error' in outcome) {
            record('child.start_failed', { id: spec.id, reason: serialiseReason(outcome.error) });
            return error('START_FAILED', `startChild(${spec.id}) failed: ${JSON.stringify(serialiseReason(outcome.error))}`);
          }
          if (outcome.ok === undefined && spec.restart === 'temporary') return reply({ ok: undefined });
          child.pid = outcome.ok;
          state.children.push(child);
          if (outcome.ok) record('child.start', { id: spec.id, pid: outcome.ok.toString() });
          return reply({ ok: outcome.ok });
        }
        case 'terminate_child': {
          const child = findById(request.id);
          if (!child) return error('CHILD_NOT_FOUND', `terminateChild: no child ${JSON.stringify(request.id)}`);
          await terminateChildren(ctx, [child]);
          return reply({ ok: undefined });
        }
        case 'restart_child': {
          const child = findById(request.id);
          if (!child) return error('CHILD_NOT_FOUND', `restartChild: no child ${JSON.stringify(request.id)}`);
          if (child.pid !== undefined) return notStopped('restartChild', child);
          const outcome = await startOne(ctx, child);
          if ('error' in outcome) return error('START_FAILED', `restartChild(${request.id}) failed: ${JSON.stringify(serialiseReason(outcome.error))}`);
          child.pid = outcome.ok;
          if (outcome.ok) record('child.restart', { id: child.spec.id, pid: outcome.ok.toString() });
          return reply({ ok: outcome.ok });
        }
        case 'delete_child': {
          const child = findById(request.id);
          if (!child) return error('CHILD_NOT_FOUND', `deleteChild: no child ${JSON.stringify(request.id)}`);
          if (child.pid !== undefined) return notStopped('deleteChild', child);
          removeChild(child);
          return reply({ ok: undefined });
        }
      }
    },

    async terminate(reason, _s, ctx) {
      await terminateChildren(ctx, state.children);
      record('supervisor.shutdown', { reason: serialiseReason(reason) });
    },
  };
}

export type { StartContext, SupervisorSpec, ChildSpec };
export { childStartContext };
