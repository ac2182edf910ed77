import { InvalidOptionError, QuiesceError } from '../errors.js';
import { checkKnownKeys, checkObject } from '../checks/options.js';
import type { Pid } from '../process/pid.js';
import type { MessageHandler, ProcessContext, Runtime, SpawnOptions } from '../process/runtime.js';
import type { ServerBehaviour } from '../server/server.js';

export type Strategy = 'one_for_one' | 'one_for_all' | 'rest_for_one';
export type RestartType = 'permanent' | 'transient' | 'temporary';
/** `brutal_kill`, milliseconds to wait after the shutdown signal before killing, or `infinity`. */
export type Shutdown = 'brutal_kill' | 'infinity' | number;
export type AutoShutdown = 'never' | 'any_significant' | 'all_significant';
export type ChildType = 'worker' | 'supervisor';

/** What a start function returns: the child's pid, `ignore` (spec kept, no process) or an error. */
export type StartReturn = Pid | 'ignore' | { error: unknown };

/** Handed to a start function: spawns done through it are linked to the supervisor. */
export interface StartContext {
  readonly runtime: Runtime;
  /** The supervisor starting this child. */
  readonly parent: Pid;
  readonly id: string;
  /** The child's path in the tree, e.g. `pool/w1`: its history label. */
  readonly path: string;
  spawn(handler: MessageHandler, options?: Omit<SpawnOptions, 'link'>): Pid;
  startServer<S, A>(behaviour: ServerBehaviour<S, A>, args: A, options?: { name?: string; timeout?: number | 'infinity' }): Promise<StartReturn>;
  /** Register an external operation (an OS process start): time does not advance while it runs. */
  external<T>(promise: Promise<T>): Promise<T>;
}

export type StartFn = (ctx: StartContext) => StartReturn | Promise<StartReturn>;

export interface ChildSpec {
  id: string;
  start: StartFn;
  /** Default `permanent`. */
  restart?: RestartType;
  /** Default 5000 ms for workers, `infinity` for supervisors (OTP's defaults). */
  shutdown?: Shutdown;
  /** Default `worker`. */
  type?: ChildType;
  /** Whether this child's exit can shut the supervisor down (see autoShutdown). Default false. */
  significant?: boolean;
}

export interface SupervisorFlags {
  /** Default `one_for_one`. */
  strategy?: Strategy;
  /**
   * Most restarts allowed within `period` seconds; one more stops the supervisor with reason
   * `shutdown`. Defaults follow OTP: 1 restart in 5 seconds (Elixir's are 3 in 5).
   */
  intensity?: number;
  /** Seconds. Default 5. */
  period?: number;
  /** Default `never`. */
  autoShutdown?: AutoShutdown;
}

export interface SupervisorSpec extends SupervisorFlags {
  readonly kind: 'supervisor';
  /** Required when the supervisor is a child of another; its history label otherwise. */
  id?: string;
  children: Array<ChildSpec | SupervisorSpec>;
  /** As a child: default `permanent`. */
  restart?: RestartType;
  /** As a child: default `infinity`. */
  shutdown?: Shutdown;
  significant?: boolean;
}

export interface NormalisedChildSpec {
  readonly id: string;
  readonly start: StartFn;
  readonly restart: RestartType;
  readonly shutdown: Shutdown;
  readonly type: ChildType;
  readonly significant: boolean;
}

export interface NormalisedFlags {
  readonly strategy: Strategy;
  readonly intensity: number;
  readonly period: number;
  readonly autoShutdown: AutoShutdown;
}

export const DEFAULT_INTENSITY = 1;
export const DEFAULT_PERIOD = 5;
export const DEFAULT_WORKER_SHUTDOWN = 5000;

const STRATEGIES: readonly Strategy[] = ['one_for_one', 'one_for_all', 'rest_for_one'];
const RESTARTS: readonly RestartType[] = ['permanent', 'transient', 'temporary'];
const AUTO_SHUTDOWNS: readonly AutoShutdown[] = ['never', 'any_significant', 'all_significant'];
const TYPES: readonly ChildType[] = ['worker', 'supervisor'];
/** The keys of a child spec, and of a supervisor spec (its flags, children, and its fields as a child). */
export const CHILD_SPEC_KEYS = ['id', 'start', 'restart', 'shutdown', 'type', 'significant'] as const;
export const SUPERVISOR_SPEC_KEYS = [
  'kind',
  'id',
  'children',
  'strategy',
  'intensity',
  'period',
  'autoShutdown',
  'restart',
  'shutdown',
  'significant',
] as const;

export function isSupervisorSpec(value: unknown): value is SupervisorSpec {
  return typeof value === 'object' && value !== null && (value as { kind?: unknown }).kind === 'supervisor';
}

function specError(field: string, value: unknown, accepted: string): InvalidOptionError {
  return new InvalidOptionError(field, value, accepted, 'INVALID_CHILD_SPEC');
}

export function normaliseFlags(flags: SupervisorFlags, where: string): NormalisedFlags {
  const strategy = flags.strategy ?? 'one_for_one';
  if (!STRATEGIES.includes(strategy)) throw specError(`${where}.strategy`, strategy, STRATEGIES.map((s) => `'${s}'`).join(', '));
  const intensity = flags.intensity ?? DEFAULT_INTENSITY;
  if (!Number.isInteger(intensity) || intensity < 0) throw specError(`${where}.intensity`, intensity, 'an integer >= 0');
  const period = flags.period ?? DEFAULT_PERIOD;
  if (!Number.isInteger(period) || period <= 0) throw specError(`${where}.period`, period, 'an integer number of seconds > 0');
  const autoShutdown = flags.autoShutdown ?? 'never';
  if (!AUTO_SHUTDOWNS.includes(autoShutdown)) throw specError(`${where}.autoShutdown`, autoShutdown, AUTO_SHUTDOWNS.map((s) => `'${s}'`).join(', '));
  return { strategy, intensity, period, autoShutdown };
}

/** Validate a child spec the way OTP's check_childspec does, naming the field that is wrong. */
export function normaliseChildSpec(raw: ChildSpec, where: string, autoShutdown: AutoShutdown): NormalisedChildSpec {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw specError(where, raw, 'a child spec object { id, start }');
  const { id } = raw;
  checkKnownKeys(typeof id === 'string' ? `${where}(${id})` : where, raw, CHILD_SPEC_KEYS, 'INVALID_CHILD_SPEC');
  checkSpecId(`${where}.id`, id);
  const at = `${where}(${id})`;
  if (typeof raw.start !== 'function') throw specError(`${at}.start`, raw.start, 'a function (ctx) => Pid | "ignore" | { error }');
  const restart = raw.restart ?? 'permanent';
  if (!RESTARTS.includes(restart)) throw specError(`${at}.restart`, restart, RESTARTS.map((s) => `'${s}'`).join(', '));
  const type = raw.type ?? 'worker';
  if (!TYPES.includes(type)) throw specError(`${at}.type`, type, "'worker' or 'supervisor'");
  const shutdown = raw.shutdown ?? (type === 'supervisor' ? 'infinity' : DEFAULT_WORKER_SHUTDOWN);
  if (!(shutdown === 'brutal_kill' || shutdown === 'infinity' || (Number.isInteger(shutdown) && (shutdown as number) >= 0))) {
    throw specError(`${at}.shutdown`, shutdown, "'brutal_kill', 'infinity' or an integer number of milliseconds >= 0");
  }
  const significant = raw.significant ?? false;
  if (typeof significant !== 'boolean') throw specError(`${at}.significant`, significant, 'a boolean');
  if (significant && restart === 'permanent') {
    throw specError(`${at}.significant`, significant, "false for a 'permanent' child (a significant child must be 'transient' or 'temporary')");
  }
  if (significant && autoShutdown === 'never') {
    throw specError(`${at}.significant`, significant, "false when the supervisor's autoShutdown is 'never'");
  }
  return { id, start: raw.start, restart, shutdown, type, significant };
}

/** A child's id, and a supervisor's own id when it has one: a non-empty string without "/" (it is a path segment). */
export function checkSpecId(where: string, id: unknown): asserts id is string {
  if (typeof id !== 'string' || id === '' || id.includes('/')) throw specError(where, id, 'a non-empty string without "/"');
}

/** A supervisor spec's own keys (not its children's); `kind` is set by supervisor(). */
export function checkSupervisorKeys(where: string, spec: unknown): void {
  checkObject(where, spec, 'INVALID_CHILD_SPEC');
  checkKnownKeys(where, spec, SUPERVISOR_SPEC_KEYS, 'INVALID_CHILD_SPEC');
}

export function assertUniqueIds(specs: readonly { id: string }[], where: string): void {
  const seen = new Set<string>();
  for (const spec of specs) {
    if (seen.has(spec.id)) {
      throw new QuiesceError('DUPLICATE_CHILD_ID', `${where}.children: id ${JSON.stringify(spec.id)} appears more than once; child ids must be unique`, {
        id: spec.id,
      });
    }
    seen.add(spec.id);
  }
}

export type { ProcessContext };
