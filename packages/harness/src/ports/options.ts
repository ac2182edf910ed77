import { statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { isAbsolute, join } from 'node:path';
import { isMainThread } from 'node:worker_threads';
import { InvalidOptionError } from '@quiesce/runtime';
import { checkKnownKeys } from '@quiesce/runtime/internal';
import { DEFAULT_LEASE_RANGE, readEphemeralRange, usablePorts, type PortRange } from './layout.js';
import { identityOf } from './proc-start-time.js';

/** Environment variables the allocator reads (at creation). */
export const PORT_DIR_ENV = 'QUIESCE_PORT_DIR';
export const RUN_ID_ENV = 'QUIESCE_RUN_ID';
export const POOL_ID_ENV = 'VITEST_POOL_ID';

/** The loopback hosts leases are bind-verified on and `listen()` binds to. */
export type LoopbackHost = '127.0.0.1' | '::1';
export const LOOPBACK_HOSTS: readonly LoopbackHost[] = ['127.0.0.1', '::1'];

export interface PortAllocatorOptions {
  /**
   * The host-wide lock directory. Every process that must not collide has to use the same one.
   * Default: `$QUIESCE_PORT_DIR`, else `/dev/shm/quiesce-ports` where /dev/shm exists (a host-wide
   * tmpfs: lease files cost ~10x less than on disk, and it does not depend on TMPDIR, so runs with
   * different TMPDIRs still see each other's leases), else `<os.tmpdir()>/quiesce-ports`. Must be absolute.
   * Created shared like /tmp (mode 1777) when missing; refused when another user could tamper with it.
   */
  dir?: string;
  /** The numbers to lease from (inclusive). Default 10000–32767. Ports 1024–65535. */
  range?: PortRange;
  /** Lease only from these numbers instead of `range` (distinct ports 1024–65535). */
  ports?: readonly number[];
  /**
   * The kernel's ephemeral range, left out of the leasable numbers. Default 'auto': read from
   * /proc/sys/net/ipv4/ip_local_port_range, else 32768–60999. 'none' leaves nothing out.
   */
  ephemeral?: PortRange | 'auto' | 'none';
  /**
   * Identifies this test run: processes of one run share one block of the range. Default:
   * `$QUIESCE_RUN_ID`, else derived from the run's main process (a Vitest worker's parent).
   */
  runId?: string;
  /** Which slice of the run's block to use first. Default `$VITEST_POOL_ID`, else 0. */
  poolId?: number;
  /** How many blocks the range is split into (concurrent runs without overlap). Default 8. */
  runBlocks?: number;
  /** How many slices each block is split into (pool ids without overlap). Default 8. */
  poolSlices?: number;
  /** Where a lease is bind-verified before it is handed out. Default '127.0.0.1'. */
  host?: LoopbackHost;
  /** Bind-verify failures (a foreign process on the number) tolerated per lease() before giving up. Default 32. */
  maxAttempts?: number;
}

/** Options after validation and defaults. */
export interface ResolvedAllocatorOptions {
  readonly dir: string;
  /** Leasable ports, ascending (range or list, minus the ephemeral range). */
  readonly ports: readonly number[];
  readonly ephemeral: PortRange | undefined;
  readonly runId: string;
  /** The process whose life a run claim is tied to. */
  readonly runOwnerPid: number;
  readonly poolId: number;
  readonly runBlocks: number;
  readonly poolSlices: number;
  readonly host: LoopbackHost;
  readonly maxAttempts: number;
}

const KNOWN = new Set(['dir', 'range', 'ports', 'ephemeral', 'runId', 'poolId', 'runBlocks', 'poolSlices', 'host', 'maxAttempts']);
const PORT_MIN = 1024;
const PORT_MAX = 65_535;

const isInt = (v: unknown, min: number, max: number): v is number => typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max;

function validRange(value: unknown, option: string): PortRange {
  if (typeof value !== 'object' || value === null)
    throw new InvalidOptionError(option, value, `{ min, max }, integers with ${PORT_MIN} <= min <= max <= ${PORT_MAX}`);
  const { min, max } = value as { min?: unknown; max?: unknown };
  if (!isInt(min, PORT_MIN, PORT_MAX) || !isInt(max, PORT_MIN, PORT_MAX) || min > max) {
    throw new InvalidOptionError(option, value, `{ min, max }, integers with ${PORT_MIN} <= min <= max <= ${PORT_MAX}`);
  }
  return { min, max };
}

function validEphemeral(value: unknown): PortRange {
  // The ephemeral range may start below 1024 on a tuned host.
  if (typeof value === 'object' && value !== null) {
    const { min, max } = value as { min?: unknown; max?: unknown };
    if (isInt(min, 1, PORT_MAX) && isInt(max, 1, PORT_MAX) && min <= max) return { min, max };
  }
  throw new InvalidOptionError('ephemeral', value, "'auto', 'none' or { min, max }, integers with 1 <= min <= max <= 65535");
}

function validDir(value: unknown, option: string): string {
  if (typeof value !== 'string' || value.length === 0 || value.includes('\0') || !isAbsolute(value)) {
    throw new InvalidOptionError(option, value, 'an absolute directory path');
  }
  return value;
}

function validRunId(value: unknown, option: string): string {
  if (typeof value !== 'string' || value.length === 0 || value.length > 200)
    throw new InvalidOptionError(option, value, 'a non-empty string of at most 200 characters');
  return value;
}

function validPoolId(value: unknown, option: string): number {
  if (!isInt(value, 0, Number.MAX_SAFE_INTEGER)) throw new InvalidOptionError(option, value, 'an integer >= 0');
  return value;
}

/**
 * The run's main process: for a Vitest worker in a child process, its parent (the `vitest`
 * process); for a worker thread or a standalone process, this process.
 */
export function runOwnerPid(env: NodeJS.ProcessEnv = process.env): number {
  if (isMainThread && env[POOL_ID_ENV] !== undefined && process.ppid > 1) return process.ppid;
  return process.pid;
}

/** Validate `options` (and the environment variables standing in for them) and apply defaults. */
export function resolveAllocatorOptions(options: unknown, env: NodeJS.ProcessEnv = process.env): ResolvedAllocatorOptions {
  if (options === undefined) options = {};
  if (typeof options !== 'object' || options === null || Array.isArray(options)) throw new InvalidOptionError('port allocator options', options, 'an object');
  const o = options as Record<string, unknown>;
  checkKnownKeys('port allocator options', o, [...KNOWN]);

  const dir = o.dir !== undefined ? validDir(o.dir, 'dir') : env[PORT_DIR_ENV] !== undefined ? validDir(env[PORT_DIR_ENV], PORT_DIR_ENV) : defaultLeaseDir();

  if (o.range !== undefined && o.ports !== undefined) throw new InvalidOptionError('ports', o.ports, 'either `range` or `ports`, not both');
  let from: PortRange | readonly number[] = DEFAULT_LEASE_RANGE;
  if (o.range !== undefined) from = validRange(o.range, 'range');
  if (o.ports !== undefined) {
    const list = o.ports;
    // Array.from turns holes of a sparse array into undefined, which fails the check.
    if (
      !Array.isArray(list) ||
      list.length === 0 ||
      list.length > PORT_MAX ||
      !Array.from(list).every((p) => isInt(p, PORT_MIN, PORT_MAX)) ||
      new Set(list).size !== list.length
    ) {
      throw new InvalidOptionError('ports', list, `a non-empty array of distinct integers from ${PORT_MIN} to ${PORT_MAX}`);
    }
    from = Array.from(list as number[]);
  }

  let ephemeral: PortRange | undefined;
  if (o.ephemeral === undefined || o.ephemeral === 'auto') ephemeral = readEphemeralRange();
  else if (o.ephemeral !== 'none') ephemeral = validEphemeral(o.ephemeral);

  const ports = usablePorts(from, ephemeral);
  if (ports.length === 0) {
    const option = o.ports !== undefined ? 'ports' : 'range';
    throw new InvalidOptionError(
      option,
      o.ports ?? o.range ?? DEFAULT_LEASE_RANGE,
      `numbers outside the ephemeral range ${ephemeral?.min}–${ephemeral?.max} (set \`ephemeral\` if that range is wrong)`,
    );
  }

  const owner = runOwnerPid(env);
  let runId: string;
  if (o.runId !== undefined) runId = validRunId(o.runId, 'runId');
  else if (env[RUN_ID_ENV] !== undefined) runId = validRunId(env[RUN_ID_ENV], RUN_ID_ENV);
  else runId = `run-${owner}-${identityOf(owner).start ?? 'x'}`;

  let poolId = 0;
  if (o.poolId !== undefined) poolId = validPoolId(o.poolId, 'poolId');
  else if (env[POOL_ID_ENV] !== undefined) {
    const raw = env[POOL_ID_ENV];
    const parsed = /^\d{1,15}$/.test(raw ?? '') ? Number(raw) : Number.NaN;
    if (!Number.isInteger(parsed)) throw new InvalidOptionError(POOL_ID_ENV, raw, 'an integer >= 0');
    poolId = parsed;
  }

  const runBlocks = o.runBlocks ?? 8;
  if (!isInt(runBlocks, 1, 1024)) throw new InvalidOptionError('runBlocks', runBlocks, 'an integer from 1 to 1024');
  const poolSlices = o.poolSlices ?? 8;
  if (!isInt(poolSlices, 1, 1024)) throw new InvalidOptionError('poolSlices', poolSlices, 'an integer from 1 to 1024');
  const host = o.host ?? '127.0.0.1';
  if (!LOOPBACK_HOSTS.includes(host as LoopbackHost)) throw new InvalidOptionError('host', host, "'127.0.0.1' or '::1'");
  const maxAttempts = o.maxAttempts ?? 32;
  if (!isInt(maxAttempts, 1, 65_535)) throw new InvalidOptionError('maxAttempts', maxAttempts, 'an integer from 1 to 65535');

  return { dir, ports, ephemeral, runId, runOwnerPid: owner, poolId, runBlocks, poolSlices, host: host as LoopbackHost, maxAttempts };
}

/** /dev/shm when this host has it (Linux), else the temp directory. */
export function defaultLeaseDir(): string {
  try {
    if (statSync('/dev/shm').isDirectory()) return '/dev/shm/quiesce-ports';
  } catch {
    // No /dev/shm: not Linux, or a container without it.
  }
  return join(tmpdir(), 'quiesce-ports');
}
