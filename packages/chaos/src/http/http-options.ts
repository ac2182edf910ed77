import { InvalidOptionError } from '@quiesce/runtime';
import { checkMilliseconds, checkOptions } from '@quiesce/runtime/internal';
import { checkCount, checkInteger, checkName, checkRate } from '../options.js';

/** What an HTTP fault does to a request its route matches. */
export type HttpFaultType = 'status' | 'network_error' | 'latency' | 'slow_body' | 'truncated_body' | 'malformed_body' | 'reset';
export const HTTP_FAULT_TYPES: readonly HttpFaultType[] = ['status', 'network_error', 'latency', 'slow_body', 'truncated_body', 'malformed_body', 'reset'];

/** Which requests a fault may hit, and how many of them. */
export interface HttpRoute {
  /** An msw path: an absolute URL or a path, with `:params` and `*` wildcards, or a RegExp. */
  path: string | RegExp;
  /** The method (`'GET'`, any case). Default: every method. */
  method?: string;
  /** The share of matching requests hit, drawn per request from the seed. Default 1. */
  rate?: number;
  /** At most this many requests hit: the first `count` matching ones at rate 1. Default Infinity. */
  count?: number;
}

/** Each fault's own options, times in real milliseconds (HTTP is real I/O). */
export interface HttpFaultAttributes {
  /** Answer `status` (429, or 500 to 599) instead of the handlers; 429 and 503 carry `Retry-After: retryAfter` seconds. */
  status: { status: number; retryAfter?: number; body?: string };
  /** The request fails as a network error (fetch rejects with a TypeError). */
  network_error: Record<never, never>;
  /** Wait `latency` (+ 0..`jitter`, drawn per request) before the handlers answer. */
  latency: { latency: number; jitter?: number };
  /** The answer's body comes `chunkSize` bytes at a time, `delay` ms apart. */
  slow_body: { delay: number; chunkSize?: number };
  /** The body ends cleanly after `bytes` bytes (the Content-Length is dropped). */
  truncated_body: { bytes: number };
  /** The body is cut at a point drawn from the seed and ends in bytes no JSON or text parser accepts. */
  malformed_body: Record<never, never>;
  /** The body fails with ECONNRESET after `bytes` bytes: reading it rejects. */
  reset: { bytes?: number };
}

export type HttpFaultOptions<T extends HttpFaultType> = HttpRoute & HttpFaultAttributes[T];

/** An HTTP fault's settings, checked. */
export interface HttpFaultSpec {
  readonly type: HttpFaultType;
  readonly path: string | RegExp;
  readonly method: string | undefined;
  readonly rate: number;
  readonly count: number;
  readonly status: number;
  readonly retryAfter: number | undefined;
  readonly body: string | undefined;
  readonly latency: number;
  readonly jitter: number;
  readonly delay: number;
  readonly chunkSize: number;
  readonly bytes: number;
}

const ROUTE_KEYS = ['path', 'method', 'rate', 'count'];
const KEYS: Record<HttpFaultType, readonly string[]> = {
  status: ['status', 'retryAfter', 'body'],
  network_error: [],
  latency: ['latency', 'jitter'],
  slow_body: ['delay', 'chunkSize'],
  truncated_body: ['bytes'],
  malformed_body: [],
  reset: ['bytes'],
};

/** Check a fault's type and options; throws a QuiesceError naming the option. */
export function parseHttpFault(type: unknown, options: unknown): HttpFaultSpec {
  if (typeof type !== 'string' || !(HTTP_FAULT_TYPES as readonly string[]).includes(type)) {
    throw new InvalidOptionError('http fault(type)', type, HTTP_FAULT_TYPES.map((t) => `'${t}'`).join(', '));
  }
  const t = type as HttpFaultType;
  const where = `http fault '${t}' options`;
  checkOptions(where, options, [...ROUTE_KEYS, ...KEYS[t]]);
  const o = options as Record<string, unknown>;
  const path = o.path instanceof RegExp ? o.path : checkName(`${where}.path`, o.path);
  const method = o.method === undefined ? undefined : checkMethod(`${where}.method`, o.method);
  const rate = o.rate === undefined ? 1 : checkRate(`${where}.rate`, o.rate);
  const count = o.count === undefined ? Number.POSITIVE_INFINITY : checkCount(`${where}.count`, o.count);
  let status = 0;
  let retryAfter: number | undefined;
  if (t === 'status') {
    status = checkInteger(`${where}.status`, o.status, 0);
    if (status !== 429 && !(status >= 500 && status <= 599)) throw new InvalidOptionError(`${where}.status`, o.status, '429, or a status from 500 to 599');
    if (o.retryAfter !== undefined) {
      if (status !== 429 && status !== 503) throw new InvalidOptionError(`${where}.retryAfter`, o.retryAfter, 'nothing unless status is 429 or 503');
      retryAfter = checkInteger(`${where}.retryAfter`, o.retryAfter, 0);
    } else if (status === 429) retryAfter = 1;
  }
  if (o.body !== undefined && typeof o.body !== 'string') throw new InvalidOptionError(`${where}.body`, o.body, 'a string');
  return {
    type: t,
    path,
    method,
    rate,
    count,
    status,
    retryAfter,
    body: o.body as string | undefined,
    latency: t === 'latency' ? checkMilliseconds(`${where}.latency`, o.latency) : 0,
    jitter: t === 'latency' && o.jitter !== undefined ? checkMilliseconds(`${where}.jitter`, o.jitter) : 0,
    delay: t === 'slow_body' ? checkMilliseconds(`${where}.delay`, o.delay) : 0,
    chunkSize: t === 'slow_body' && o.chunkSize !== undefined ? checkInteger(`${where}.chunkSize`, o.chunkSize, 1) : 16,
    bytes:
      t === 'truncated_body'
        ? checkInteger(`${where}.bytes`, o.bytes, 0)
        : t === 'reset' && o.bytes !== undefined
          ? checkInteger(`${where}.bytes`, o.bytes, 0)
          : 0,
  };
}

function checkMethod(where: string, value: unknown): string {
  if (typeof value === 'string' && /^[A-Za-z]+$/.test(value)) return value.toUpperCase();
  throw new InvalidOptionError(where, value, "an HTTP method such as 'GET' or 'post'");
}

/** `GET http://api.test/pods/:id`, `* /^\/v1/`: how events name a route. */
export function describeRoute(spec: Pick<HttpFaultSpec, 'method' | 'path'>): string {
  return `${spec.method ?? '*'} ${String(spec.path)}`;
}

/** The spec as event data: what was armed. */
export function describeHttpFault(spec: HttpFaultSpec): Record<string, unknown> {
  const out: Record<string, unknown> = { route: describeRoute(spec), rate: spec.rate, count: spec.count };
  if (spec.type === 'status') Object.assign(out, { status: spec.status }, spec.retryAfter !== undefined ? { retryAfter: spec.retryAfter } : {});
  if (spec.type === 'latency') Object.assign(out, { latency: spec.latency, jitter: spec.jitter });
  if (spec.type === 'slow_body') Object.assign(out, { delay: spec.delay, chunkSize: spec.chunkSize });
  if (spec.type === 'truncated_body' || spec.type === 'reset') out.bytes = spec.bytes;
  return out;
}
