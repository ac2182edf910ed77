import { InvalidOptionError } from '../errors.js';
import { checkKnownKeys, checkMilliseconds, checkObject } from '../checks/options.js';
import { Pid } from '../process/pid.js';
import { Runtime } from '../process/runtime.js';
import type { ChildSpec, RestartType } from '../supervisor/spec.js';

/** The child-spec fields osProcess and workerThread pass through to the supervisor. */
export type ChildFields = Pick<ChildSpec, 'shutdown' | 'restart' | 'significant'>;

/** Options of the low-level spawn functions (spawnOsProcess, spawnWorkerThread). */
export interface ProxySpawnOptions {
  /** Link the proxy process to this pid once the child is ready (not before: a failed start leaves no exit signal behind). */
  link?: Pid;
  /** History label of the proxy and of the child's events. */
  label?: string;
}

export const CHILD_FIELD_KEYS = ['shutdown', 'restart', 'significant'] as const;
const RESTARTS: readonly RestartType[] = ['permanent', 'transient', 'temporary'];

export { checkKnownKeys, checkObject };

export function checkId(where: string, id: unknown): asserts id is string {
  if (typeof id !== 'string' || id === '' || id.includes('/'))
    throw new InvalidOptionError(`${where} id`, id, 'a non-empty string without "/"', 'INVALID_CHILD_SPEC');
}

/** Same rules as the supervisor's check, applied early so a bad spec fails where it is written. */
export function checkChildFields(where: string, options: ChildFields): ChildFields {
  const { shutdown, restart, significant } = options;
  if (shutdown !== undefined && !(shutdown === 'brutal_kill' || shutdown === 'infinity' || (Number.isInteger(shutdown) && shutdown >= 0))) {
    throw new InvalidOptionError(`${where}.shutdown`, shutdown, "'brutal_kill', 'infinity' or an integer number of milliseconds >= 0", 'INVALID_CHILD_SPEC');
  }
  if (restart !== undefined && !RESTARTS.includes(restart)) {
    throw new InvalidOptionError(`${where}.restart`, restart, "'permanent', 'transient' or 'temporary'", 'INVALID_CHILD_SPEC');
  }
  if (significant !== undefined && typeof significant !== 'boolean')
    throw new InvalidOptionError(`${where}.significant`, significant, 'a boolean', 'INVALID_CHILD_SPEC');
  return {
    ...(shutdown !== undefined ? { shutdown } : {}),
    ...(restart !== undefined ? { restart } : {}),
    ...(significant !== undefined ? { significant } : {}),
  };
}

export function checkReadyTimeout(where: string, readyTimeout: unknown, hasReady: boolean): number | undefined {
  if (readyTimeout === undefined) return undefined;
  const ms = checkMilliseconds(`${where}.readyTimeout`, readyTimeout, { positive: true });
  // Without a ready condition the start completes at spawn, so a timeout would never apply.
  if (!hasReady) throw new InvalidOptionError(`${where}.readyTimeout`, readyTimeout, 'to be given only together with ready');
  return ms;
}

export function checkSpawnCall(where: string, runtime: unknown, spawnOptions: unknown): asserts spawnOptions is ProxySpawnOptions {
  if (!(runtime instanceof Runtime)) throw new InvalidOptionError(`${where}(runtime)`, runtime, 'a Runtime');
  checkObject(`${where} spawn options`, spawnOptions);
  checkKnownKeys(where, spawnOptions, ['link', 'label']);
  const { link, label } = spawnOptions;
  if (link !== undefined && !(link instanceof Pid)) throw new InvalidOptionError(`${where}.link`, link, 'a Pid');
  if (label !== undefined && (typeof label !== 'string' || label === '')) throw new InvalidOptionError(`${where}.label`, label, 'a non-empty string');
}
