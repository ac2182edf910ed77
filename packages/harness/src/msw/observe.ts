import { InvalidOptionError, QuiesceError } from '@quiesce/runtime';
import type { OwnedResource } from '../system/resources.js';
import type { TestSystem } from '../system/test-system.js';
import { assertServer, onLifecycle, seen, type MswLifecycleEvent, type MswServerLike, type SeenRequest } from './types.js';

/** A request seen by an HttpObserver, with what became of it. */
export interface ObservedRequest extends SeenRequest {
  readonly requestId: string;
  /** True once a handler matched it; false if none did; undefined while undecided. */
  handled: boolean | undefined;
  /** The response's status, once one came back (mocked or from the network). */
  status: number | undefined;
}

/**
 * Records a server's traffic in a TestSystem's history: `http.request` {method, url, handled}
 * when msw has decided whether a handler answers, and `http.response` {method, url, status,
 * mocked} when the response comes back. While msw resolves a request it counts as an external
 * operation of the runtime (the system is not idle), and until its response arrives waits treat
 * it as a live source of events instead of declaring a deadlock. Owned by the system: it
 * unsubscribes at teardown.
 */
export class HttpObserver implements OwnedResource {
  readonly kind = 'observer';
  readonly label: string;
  /** Every request seen, in order. */
  readonly requests: ObservedRequest[] = [];
  readonly #system: TestSystem;
  readonly #inFlight = new Map<string, { request: ObservedRequest; resolving?: () => void }>();
  readonly #stop: () => void;
  #disposed = false;

  /** @internal use observeHttp */
  constructor(server: MswServerLike, system: TestSystem) {
    this.#system = system;
    this.label = 'msw lifecycle observer';
    this.#stop = onLifecycle(server, {
      'request:start': (event) => this.#start(event),
      'request:match': (event) => this.#decide(event, true),
      'request:unhandled': (event) => this.#decide(event, false),
      'request:end': (event) => this.#end(event),
      'response:mocked': (event) => this.#response(event, true),
      'response:bypass': (event) => this.#response(event, false),
      unhandledException: (event) => this.#settle(event.requestId),
    });
  }

  /** Requests still in flight. */
  get inFlight(): number {
    return this.#inFlight.size;
  }

  external(): boolean {
    return this.#inFlight.size > 0;
  }

  alive(): boolean {
    return false;
  }

  dispose(): void {
    if (this.#disposed) return;
    this.#disposed = true;
    this.#stop();
    for (const id of [...this.#inFlight.keys()]) this.#settle(id);
  }

  #start({ request, requestId }: MswLifecycleEvent): void {
    if (this.#disposed || this.#system.tornDown) return;
    const observed: ObservedRequest = { ...seen(request), requestId, handled: undefined, status: undefined };
    this.requests.push(observed);
    const entry: { request: ObservedRequest; resolving?: () => void } = { request: observed };
    // msw's resolution (handler lookup and resolver) keeps the runtime from being idle.
    void this.#system.runtime.external(new Promise<void>((resolve) => (entry.resolving = resolve))).catch(() => undefined);
    this.#inFlight.set(requestId, entry);
  }

  #decide({ requestId }: MswLifecycleEvent, handled: boolean): void {
    const entry = this.#inFlight.get(requestId);
    if (!entry || entry.request.handled !== undefined) return;
    entry.request.handled = handled;
    this.#record('http.request', { method: entry.request.method, url: entry.request.url, handled });
  }

  #end({ requestId }: MswLifecycleEvent): void {
    const entry = this.#inFlight.get(requestId);
    if (!entry) return;
    entry.resolving?.();
    delete entry.resolving;
    if (entry.request.handled === undefined) {
      // Neither matched nor unhandled: a passthrough (the `accept: msw/passthrough` header).
      entry.request.handled = false;
      this.#record('http.request', { method: entry.request.method, url: entry.request.url, handled: false });
    }
    // Unhandled and passed-through requests go to the real network, which msw reports only on
    // success: stop tracking them here. A matched request's mocked response follows.
    if (!entry.request.handled) this.#inFlight.delete(requestId);
  }

  #response({ requestId, response }: MswLifecycleEvent, mocked: boolean): void {
    const entry = this.#inFlight.get(requestId) ?? { request: this.requests.find((r) => r.requestId === requestId) };
    if (!entry.request) return;
    entry.request.status = response?.status;
    this.#record('http.response', { method: entry.request.method, url: entry.request.url, status: response?.status, mocked });
    this.#settle(requestId);
  }

  #settle(requestId: string): void {
    const entry = this.#inFlight.get(requestId);
    if (!entry) return;
    entry.resolving?.();
    this.#inFlight.delete(requestId);
  }

  #record(kind: string, data: Record<string, unknown>): void {
    if (!this.#disposed && !this.#system.tornDown) this.#system.record(kind, 'msw', data);
  }
}

const observers = new WeakMap<object, WeakMap<TestSystem, HttpObserver>>();

/**
 * Record `server`'s HTTP traffic in `system`'s history (see HttpObserver). Idempotent per server
 * and system; the observer is owned by the system and stops at its teardown.
 */
export function observeHttp(server: MswServerLike, system: TestSystem): HttpObserver {
  assertServer(server, 'observeHttp');
  if (typeof system !== 'object' || system === null || typeof (system as Partial<TestSystem>).own !== 'function') {
    throw new InvalidOptionError('observeHttp(system)', system, 'a TestSystem');
  }
  let bySystem = observers.get(server);
  if (!bySystem) observers.set(server, (bySystem = new WeakMap()));
  const existing = bySystem.get(system);
  if (existing) return existing;
  if (system.tornDown) throw new QuiesceError('AFTER_TEARDOWN', "observeHttp: the test's system has been torn down; activity after teardown is rejected", { operation: 'observeHttp' });
  const observer = system.own(new HttpObserver(server, system));
  bySystem.set(system, observer);
  return observer;
}
