import { InvalidOptionError, QuiesceError, type Random } from '@quiesce/runtime';
import { checkOptions, realDelay } from '@quiesce/runtime/internal';
import type { ArmedFault, Fault } from '../fault.js';
import type { ChaosSystem } from '../host.js';
import { FAULT_KINDS } from '../kinds.js';
import { checkName } from '../options.js';
import { malformedBody, resetBody, slowBody, truncatedBody } from './bodies.js';
import { describeHttpFault, describeRoute, parseHttpFault, type HttpFaultOptions, type HttpFaultSpec, type HttpFaultType } from './http-options.js';

/** What a fault's resolver gets from msw (2 and 3). */
export interface HttpResolverInfo {
  readonly request: Request;
  readonly requestId: string;
}

/** msw's `http` namespace (from 'msw', major 2 or 3): the faults build their handlers with `http.all`. */
export interface MswHttpLike {
  all(path: string | RegExp, resolver: (info: HttpResolverInfo) => unknown): unknown;
}

/** What the faults use of an msw server (`setupServer()` from 'msw/node', major 2 or 3). */
export interface MswFaultServer {
  use(...handlers: never[]): void;
  listHandlers(): ReadonlyArray<unknown>;
  resetHandlers(...handlers: never[]): void;
}

export interface HttpFaultsOptions {
  /** msw's `http` namespace, of the major the server is from. */
  http: MswHttpLike;
  /** Names the faults' target in events. Default 'msw'. */
  label?: string;
}

/** A handler as msw runs it (both majors): what the body faults run the later handlers with. */
interface RunnableHandler {
  run(args: { request: Request; requestId: string }): Promise<{ response?: Response } | null>;
}

type Arm = (type: string, target: string, options: Record<string, unknown>, onHeal: () => void, limit: number) => ArmedFault;

/** Which HttpFaults holds faults on a server now: a second live system may not add its own. */
const holders = new WeakMap<object, HttpFaults>();

/**
 * HTTP faults on one msw server (2 or 3): each fault is a handler put in front of the server's
 * handlers, matching a route (method and msw path), hitting a share of its requests (`rate`,
 * drawn per request from the seed) and at most `count` of them. Status errors and network errors
 * answer in place of the handlers; latency waits, then lets them answer; the body faults run the
 * later handlers themselves and change the bytes they answered with. Every hit is a `fault.http`
 * event. Heal a fault and its requests go through untouched; at teardown (or dispose) its
 * handlers leave the server. See docs/chaos.md.
 */
export class HttpFaults {
  readonly label: string;
  readonly #random: Random;
  readonly #arm: Arm;
  readonly #server: MswFaultServer;
  readonly #http: MswHttpLike;
  readonly #system: ChaosSystem | undefined;
  readonly #handlers: unknown[] = [];
  #next = 1;
  #disposed = false;

  /** @internal use chaos(system).http(server, { http }). */
  constructor(random: Random, arm: Arm, server: MswFaultServer, options: { http: MswHttpLike; label: string }, system: ChaosSystem | undefined) {
    this.#random = random;
    this.#arm = arm;
    this.#server = server;
    this.#http = options.http;
    this.label = options.label;
    this.#system = system;
  }

  /** Whether it may hold faults on its server (checked by chaos before it is handed out). @internal */
  claim(): void {
    const holder = holders.get(this.#server);
    if (holder && holder !== this && !holder.#disposed && holder.#system !== this.#system && !holder.#system?.tornDown) {
      throw new QuiesceError(
        'NOT_OWNED',
        "http: this msw server already carries another test's HTTP faults; chaos only touches the current test's own server (give each test its own setupServer(), or let the other test end first)",
        { operation: 'http' },
      );
    }
    holders.set(this.#server, this);
  }

  /**
   * Arm a fault on a route: `fault('status', { method: 'GET', path: 'http://api.test/pods/:id', status: 503, rate: 0.5 })`.
   * It takes requests from now on; `heal()` lets them through again.
   */
  fault<T extends HttpFaultType>(type: T, options: HttpFaultOptions<T>): Fault {
    if (this.#disposed || this.#system?.tornDown) {
      throw new QuiesceError('AFTER_TEARDOWN', `${this.label}: fault(): its chaos was disposed (or its test's system torn down)`, { operation: 'http fault' });
    }
    const spec = parseHttpFault(type, options);
    const fault = this.#arm(`http_${spec.type}`, `${this.label} ${describeRoute(spec)}`, describeHttpFault(spec), () => undefined, spec.count);
    const random = this.#random.fork(`route${this.#next++}`);
    const handler = this.#http.all(spec.path, (info) => this.#resolve(fault, spec, random, handler, info));
    this.#handlers.push(handler);
    this.#server.use(handler as never);
    return fault;
  }

  /** Take every fault's handler off the server (teardown does it). Idempotent. */
  dispose(): void {
    if (this.#disposed) return;
    this.#disposed = true;
    if (holders.get(this.#server) === this) holders.delete(this.#server);
    removeHandlers(this.#server, this.#handlers);
  }

  async #resolve(
    fault: ArmedFault,
    spec: HttpFaultSpec,
    random: Random,
    self: unknown,
    { request, requestId }: HttpResolverInfo,
  ): Promise<Response | undefined> {
    if (this.#disposed || !fault.active || this.#system?.tornDown) return undefined;
    if (spec.method !== undefined && request.method !== spec.method) return undefined;
    if (spec.rate < 1 && !fault.random.bool(spec.rate)) return undefined;
    const at = { method: request.method, url: request.url };
    switch (spec.type) {
      case 'status': {
        fault.fire(FAULT_KINDS.http, { action: 'status', ...at, status: spec.status });
        const headers: Record<string, string> = { 'content-type': 'text/plain' };
        if (spec.retryAfter !== undefined) headers['retry-after'] = String(spec.retryAfter);
        return new Response(spec.body ?? `chaos: injected ${spec.status} (${fault.id})`, { status: spec.status, headers });
      }
      case 'network_error':
        fault.fire(FAULT_KINDS.http, { action: 'network_error', ...at });
        return Response.error();
      case 'latency': {
        const ms = spec.latency + (spec.jitter > 0 ? random.int(spec.jitter + 1) : 0);
        fault.fire(FAULT_KINDS.http, { action: 'latency', ...at, latency: ms });
        await realDelay(ms);
        return undefined; // the later handlers answer, late
      }
      default:
        return this.#body(fault, spec, random, self, request, requestId, at);
    }
  }

  /** The body faults: run the handlers after this one, then change the bytes of their answer. */
  async #body(
    fault: ArmedFault,
    spec: HttpFaultSpec,
    random: Random,
    self: unknown,
    request: Request,
    requestId: string,
    at: { method: string; url: string },
  ): Promise<Response | undefined> {
    const later = this.#server.listHandlers().slice(this.#server.listHandlers().indexOf(self) + 1) as RunnableHandler[];
    let answer: Response | undefined;
    for (const handler of later) {
      const result = await handler.run({ request, requestId });
      if (result?.response) {
        answer = result.response;
        break;
      }
    }
    // No handler answers (the request goes to the network): nothing to change.
    if (!answer || answer.type === 'error') return answer;
    // Another request may have used the fault up (its count) or a heal come meanwhile.
    if (!fault.active || this.#disposed) return answer;
    const bytes = new Uint8Array(await answer.arrayBuffer());
    const size = { ...at, status: answer.status, bodyBytes: bytes.length };
    switch (spec.type) {
      case 'slow_body':
        fault.fire(FAULT_KINDS.http, { action: 'slow_body', ...size, delay: spec.delay, chunkSize: spec.chunkSize });
        return slowBody(answer, bytes, spec.delay, spec.chunkSize);
      case 'truncated_body':
        fault.fire(FAULT_KINDS.http, { action: 'truncated_body', ...size, bytes: Math.min(spec.bytes, bytes.length) });
        return truncatedBody(answer, bytes, spec.bytes);
      case 'malformed_body': {
        const { response, cut } = malformedBody(answer, bytes, random);
        fault.fire(FAULT_KINDS.http, { action: 'malformed_body', ...size, cut });
        return response;
      }
      default:
        fault.fire(FAULT_KINDS.http, { action: 'reset', ...size, bytes: Math.min(spec.bytes, bytes.length) });
        return resetBody(answer, bytes, spec.bytes, fault.id);
    }
  }
}

/**
 * Take `handlers` off `server`, every other handler kept in its place: msw has no "remove", so
 * the server goes back to its initial handlers and the other run-time handlers are put back.
 */
function removeHandlers(server: MswFaultServer, handlers: readonly unknown[]): void {
  const current = server.listHandlers();
  if (!handlers.some((h) => current.includes(h))) return;
  server.resetHandlers();
  const initial = new Set(server.listHandlers());
  const kept = current.filter((h) => !handlers.includes(h) && !initial.has(h));
  if (kept.length > 0) server.use(...(kept as never[]));
}

/** Check `chaos.http`'s arguments. */
export function parseHttpFaultsArgs(server: unknown, options: unknown): { server: MswFaultServer; http: MswHttpLike; label: string } {
  const s = server as Partial<MswFaultServer> | null;
  if (typeof s !== 'object' || s === null || typeof s.use !== 'function' || typeof s.listHandlers !== 'function' || typeof s.resetHandlers !== 'function') {
    throw new InvalidOptionError('http(server)', server, "an msw server from setupServer() ('msw/node', msw 2 or 3)");
  }
  checkOptions('http options', options, ['http', 'label']);
  const o = options as unknown as Partial<HttpFaultsOptions>;
  if (typeof o.http !== 'object' || o.http === null || typeof o.http.all !== 'function') {
    throw new InvalidOptionError('http options.http', o.http, "msw's `http` namespace (import { http } from 'msw')");
  }
  const label = o.label === undefined ? 'msw' : checkName('http options.label', o.label);
  return { server: s as MswFaultServer, http: o.http, label };
}
