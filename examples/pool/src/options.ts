import { InvalidOptionError, type SupervisorRef, type SupervisorSpec } from '@quiesce/runtime';
import type { Transport } from './protocol.js';

export interface PoolOptions {
  /** How many workers. */
  size: number;
  /** The port worker `id` listens on (asked once per worker; a restarted worker binds it again). */
  port: (workerId: string) => number | Promise<number>;
  /** Starts the pool's supervisor. Default: `startSupervisor(runtime, spec)`; a test passes `(spec) => system.start(spec)`. */
  start?: (spec: SupervisorSpec) => Promise<SupervisorRef>;
  /** The Python interpreter. Default 'python3'. */
  python?: string;
  /** Requests one worker serves at once. Default 1. */
  capacity?: number;
  /** Requests that may wait for a slot before the pool answers POOL_SATURATED. Default 1000. */
  queueLimit?: number;
  /** Tries per request for retryable failures (crash, disconnect, timeout); session requests are tried once. Default 1. */
  attempts?: number;
  /** Restarts the supervisor allows within `period` seconds before it gives up. Default 10. */
  maxRestarts?: number;
  /** Seconds. Default 5. */
  period?: number;
  /** Milliseconds a worker has to print its READY line. Default 10 000. */
  readyTimeout?: number;
  /** How requests reach a worker. Default: TCP JSON lines (tcpTransport). */
  transport?: Transport;
}

export interface ResolvedPoolOptions extends Required<Omit<PoolOptions, 'start' | 'transport'>> {
  start: PoolOptions['start'];
  transport: Transport | undefined;
}

const KEYS = ['size', 'port', 'start', 'python', 'capacity', 'queueLimit', 'attempts', 'maxRestarts', 'period', 'readyTimeout', 'transport'];

/** Every option checked before anything starts: a bad one is an InvalidOptionError naming it, the value and what is accepted. */
export function resolvePoolOptions(options: PoolOptions): ResolvedPoolOptions {
  if (typeof options !== 'object' || options === null) throw new InvalidOptionError('startPool(options)', options, 'an object');
  for (const key of Object.keys(options)) {
    if (!KEYS.includes(key))
      throw new InvalidOptionError(
        `startPool options.${key}`,
        (options as unknown as Record<string, unknown>)[key],
        `no such option (accepts ${KEYS.join(', ')})`,
      );
  }
  const int = (name: keyof PoolOptions, value: unknown, min: number, fallback: number): number => {
    if (value === undefined) return fallback;
    if (!Number.isSafeInteger(value) || (value as number) < min) throw new InvalidOptionError(`startPool options.${name}`, value, `an integer >= ${min}`);
    return value as number;
  };
  const fn = <T>(name: keyof PoolOptions, value: T): T => {
    if (value !== undefined && typeof value !== 'function') throw new InvalidOptionError(`startPool options.${name}`, value, 'a function');
    return value;
  };
  if (options.size === undefined) throw new InvalidOptionError('startPool options.size', undefined, 'an integer >= 1 (required: how many workers)');
  if (typeof options.port !== 'function') throw new InvalidOptionError('startPool options.port', options.port, 'a function (workerId) => port');
  if (options.python !== undefined && (typeof options.python !== 'string' || options.python === ''))
    throw new InvalidOptionError('startPool options.python', options.python, 'a non-empty string (a program path or a name in PATH)');
  return {
    size: int('size', options.size ?? null, 1, 0),
    port: options.port,
    start: fn('start', options.start),
    python: options.python ?? 'python3',
    capacity: int('capacity', options.capacity, 1, 1),
    queueLimit: int('queueLimit', options.queueLimit, 0, 1000),
    attempts: int('attempts', options.attempts, 1, 1),
    maxRestarts: int('maxRestarts', options.maxRestarts, 0, 10),
    period: int('period', options.period, 1, 5),
    readyTimeout: int('readyTimeout', options.readyTimeout, 1, 10_000),
    transport: fn('transport', options.transport),
  };
}
