import { InvalidOptionError } from '@quiesce/runtime';
import { checkMilliseconds, checkOptions } from '@quiesce/runtime/internal';

/** Options of `load()`. A load is always bounded in count and in time. */
export interface LoadOptions {
  /** Requests in flight at once. Default 1. */
  concurrency?: number;
  /** Requests to send. Required unless `duration` is given; with `duration`, whichever ends first. */
  requests?: number;
  /** Real milliseconds to keep sending. With `duration` alone, at most DEFAULT_MAX_REQUESTS requests. */
  duration?: number;
  /**
   * Real milliseconds the whole load may take, in-flight requests included: when it passes,
   * requests still in flight are aborted and counted as errors. Default 60 000 (with
   * `duration`: `duration` + 10 000).
   */
  timeout?: number;
  /** Real milliseconds one request may take before it is aborted and counted as an error. Default: no own limit. */
  requestTimeout?: number;
  /** A name for this load in the report (a test may run several). Default 'load'. */
  label?: string;
  /** Attach the result to the current test's metrics, for the reporters. Default true. */
  attach?: boolean;
  /** HTTP targets: the method. Default 'GET'. */
  method?: string;
  /** HTTP targets: the path asked of a server target (a URL carries its own). Default '/'. */
  path?: string;
  /** HTTP targets: request headers. */
  headers?: Record<string, string>;
  /** HTTP targets: the request body. */
  body?: string | Uint8Array;
}

export interface ResolvedLoadOptions {
  concurrency: number;
  requests: number;
  duration: number | undefined;
  timeout: number;
  requestTimeout: number | undefined;
  label: string;
  attach: boolean;
  http: { method: string; path: string | undefined; headers: Record<string, string>; body: string | Uint8Array | undefined };
}

/** The cap on requests of a load bounded by `duration` alone, so its samples stay bounded in memory. */
export const DEFAULT_MAX_REQUESTS = 1_000_000;
export const DEFAULT_LOAD_TIMEOUT = 60_000;
/** What a duration-bound load adds to `duration` for its default timeout: time for the last requests to finish. */
export const DURATION_GRACE = 10_000;
export const MAX_CONCURRENCY = 10_000;

const KNOWN = ['concurrency', 'requests', 'duration', 'timeout', 'requestTimeout', 'label', 'attach', 'method', 'path', 'headers', 'body'];
const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'];

export function resolveLoadOptions(options: unknown): ResolvedLoadOptions {
  checkOptions('load options', options, KNOWN);
  const o = options as LoadOptions;
  const concurrency = o.concurrency === undefined ? 1 : integerIn('load options.concurrency', o.concurrency, 1, MAX_CONCURRENCY);
  if (o.requests === undefined && o.duration === undefined) {
    throw new InvalidOptionError('load options', options, 'a bound: `requests` (a count), `duration` (ms), or both');
  }
  const requests = o.requests === undefined ? DEFAULT_MAX_REQUESTS : integerIn('load options.requests', o.requests, 1, Number.MAX_SAFE_INTEGER);
  const duration = o.duration === undefined ? undefined : checkMilliseconds('load options.duration', o.duration, { positive: true });
  const fallback = duration === undefined ? DEFAULT_LOAD_TIMEOUT : Math.min(duration + DURATION_GRACE, 2_147_483_647);
  const timeout = o.timeout === undefined ? fallback : checkMilliseconds('load options.timeout', o.timeout, { positive: true });
  if (duration !== undefined && timeout < duration) {
    throw new InvalidOptionError('load options.timeout', timeout, `a number of milliseconds >= duration (${duration})`);
  }
  const requestTimeout = o.requestTimeout === undefined ? undefined : checkMilliseconds('load options.requestTimeout', o.requestTimeout, { positive: true });
  if (o.label !== undefined && (typeof o.label !== 'string' || o.label.length === 0))
    throw new InvalidOptionError('load options.label', o.label, 'a non-empty string');
  if (o.attach !== undefined && typeof o.attach !== 'boolean') throw new InvalidOptionError('load options.attach', o.attach, 'a boolean');
  return { concurrency, requests, duration, timeout, requestTimeout, label: o.label ?? 'load', attach: o.attach ?? true, http: httpOptions(o) };
}

function httpOptions(o: LoadOptions): ResolvedLoadOptions['http'] {
  const method = o.method === undefined ? 'GET' : typeof o.method === 'string' ? o.method.toUpperCase() : o.method;
  if (typeof method !== 'string' || !METHODS.includes(method)) throw new InvalidOptionError('load options.method', o.method, `one of ${METHODS.join(', ')}`);
  if (o.path !== undefined && (typeof o.path !== 'string' || !o.path.startsWith('/')))
    throw new InvalidOptionError('load options.path', o.path, "a path starting with '/'");
  const headers = o.headers ?? {};
  if (typeof headers !== 'object' || headers === null || Array.isArray(headers) || Object.values(headers).some((v) => typeof v !== 'string')) {
    throw new InvalidOptionError('load options.headers', o.headers, 'an object of header names to string values');
  }
  if (o.body !== undefined && typeof o.body !== 'string' && !(o.body instanceof Uint8Array))
    throw new InvalidOptionError('load options.body', o.body, 'a string or a Uint8Array');
  return { method, path: o.path, headers, body: o.body };
}

function integerIn(where: string, value: unknown, min: number, max: number): number {
  if (typeof value === 'number' && Number.isSafeInteger(value) && value >= min && value <= max) return value;
  throw new InvalidOptionError(where, value, `an integer from ${min} to ${max}`);
}
