import { basename } from 'node:path';
import { DynamicSupervisorRef, InvalidOptionError, type OsProcessOptions, type Random, type Runtime, type WorkerThreadOptions } from '@quiesce/runtime';

/**
 * Resource exhaustion reached for real: the runtime's process cap and a dynamic supervisor's
 * children cap (spawns refused with OTP's system_limit and max_children), an OS child's file
 * descriptors (its RLIMIT_NOFILE lowered at spawn: it gets EMFILE), and a heap limit on a worker
 * thread (resourceLimits) or an OS child (--max-old-space-size for Node, RLIMIT_AS otherwise).
 * What to apply is decided here; Chaos arms the faults that record and undo it.
 */

/** A limit: a number, or a range `{ min, max }` the value is drawn from with the test's seed. */
export type LimitValue = number | { readonly min: number; readonly max: number };

/** Where OS options go: a supervised osProcess child's or `system.spawn`'s ({ command, args }). */
export interface CommandLine {
  readonly command: string;
  readonly args?: readonly string[];
}

/** The limit `value` names, drawn from `random` when it is a range; InvalidOptionError otherwise. */
export function drawLimit(where: string, value: unknown, random: Random, min: number): number {
  const accepted = `an integer >= ${min}, or a range { min, max } of them to draw from with the seed`;
  if (Number.isSafeInteger(value) && (value as number) >= min) return value as number;
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
    const { min: lo, max: hi, ...rest } = value as { min?: unknown; max?: unknown };
    if (Object.keys(rest).length === 0 && Number.isSafeInteger(lo) && Number.isSafeInteger(hi) && (lo as number) >= min && (hi as number) >= (lo as number)) {
      return (lo as number) + random.int((hi as number) - (lo as number) + 1);
    }
  }
  throw new InvalidOptionError(where, value, accepted);
}

/** Cap the runtime's live processes at `limit`; returns the function that restores the previous cap. */
export function capProcesses(runtime: Runtime, limit: number): () => void {
  const previous = runtime.limitProcesses(limit);
  return () => void runtime.limitProcesses(previous);
}

/** Cap a dynamic supervisor's children at `limit`; returns the function that restores its own. */
export function capChildren(where: string, supervisor: unknown, limit: number): { label: string; restore: () => void } {
  if (!(supervisor instanceof DynamicSupervisorRef)) {
    throw new InvalidOptionError(where, supervisor, 'a DynamicSupervisorRef (max_children is a dynamic supervisor’s limit, as in OTP)');
  }
  const previous = supervisor.setMaxChildren(limit);
  return { label: supervisor.label, restore: () => void supervisor.setMaxChildren(previous) };
}

export function checkCommandLine(where: string, options: unknown): CommandLine {
  const o = options as Partial<CommandLine> | null;
  if (typeof o !== 'object' || o === null || typeof o.command !== 'string' || o.command === '') {
    throw new InvalidOptionError(where, options, 'OS process options with a command ({ command, args }, as osProcess and system.spawn take)');
  }
  if (o.args !== undefined && !(Array.isArray(o.args) && o.args.every((a) => typeof a === 'string'))) {
    throw new InvalidOptionError(`${where}.args`, o.args, 'an array of strings');
  }
  return o as CommandLine;
}

/**
 * The same options with the program started under `sh`, its file-descriptor limit (soft and
 * hard) set to `limit` first: `sh -c 'ulimit -n "$0" && exec "$@"' <limit> <command> <args…>`.
 * Nothing else changes, so the pid, the output and the exit status are the program's own.
 */
export function withFdLimit<T extends CommandLine>(options: T, limit: number): T {
  return { ...options, command: 'sh', args: ['-c', 'ulimit -n "$0" && exec "$@"', String(limit), options.command, ...(options.args ?? [])] };
}

/**
 * The same options with a heap limit of `mb`: for a Node program, `--max-old-space-size=<mb>`
 * before its arguments (V8 reserves far more address space than it uses, so RLIMIT_AS would
 * stop it starting at all); for any other program, RLIMIT_AS (`ulimit -v`) of `mb` MiB.
 */
export function withHeapLimit<T extends CommandLine>(options: T, mb: number): T {
  if (isNode(options.command)) return { ...options, args: [`--max-old-space-size=${mb}`, ...(options.args ?? [])] };
  return { ...options, command: 'sh', args: ['-c', 'ulimit -v "$0" && exec "$@"', String(mb * 1024), options.command, ...(options.args ?? [])] };
}

/** A worker thread's options with its old generation capped at `mb` (ERR_WORKER_OUT_OF_MEMORY past it). */
export function withWorkerHeapLimit<T extends WorkerThreadOptions>(options: T, mb: number): T {
  return { ...options, resourceLimits: { ...options.resourceLimits, maxOldGenerationSizeMb: mb } };
}

export function isWorkerOptions(options: unknown): options is WorkerThreadOptions {
  return typeof options === 'object' && options !== null && ('filename' in options || 'url' in options) && !('command' in options);
}

function isNode(command: string): boolean {
  return command === process.execPath || /^node(js)?(\.exe)?$/.test(basename(command));
}

export type { OsProcessOptions };
