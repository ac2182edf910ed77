import { InvalidOptionError, QuiesceError, type QuiesceEvents } from '@quiesce/runtime';
import type { OwnedResource } from '../core/resources.js';
import type { TestSystem } from '../system/test-system.js';
import { snapshotBody, type BodySnapshot } from './request-snapshot.js';
import { assertServer, onLifecycle, seen, type MswLifecycleEvent, type MswServerLike, type SeenRequest } from './types.js';

/** A request seen by an HttpObserver, with what became of it. */
export interface ObservedRequest extends SeenRequest, BodySnapshot {
  readonly requestId: string;
  /** True once a handler matched it; false if none did; undefined while undecided. */
  handled: boolean | undefined;
  /** The response's status, once one came back (mocked or from the network). */
  status: number | undefined;
}

/** One request between `request:start` and the last event recorded for it. */
interface Flight {
  readonly request: ObservedRequest;
  /** The bounded copy of the body, read from a clone at `request:start`. */
  readonly body: Promise<void>;
  /** Set once `http.request` is scheduled (after the body is read): later events follow it. */
  recorded?: Promise<void>;
  /** Ends the external operation that keeps the system from being idle. */
  readonly release: () => void;
}

/**
 * Records a server's traffic in a TestSystem's history: `http.request` {method, url, headers,
 * body?, handled} when msw has decided whether a handler answers (the body a bounded copy, see
 * request-snapshot.ts), and `http.response` {method, url, status, mocked} when the response comes
 * back. While msw resolves a request, and until its events are recorded, it counts as an external
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
  readonly #inFlight = new Map<string, Flight>();
  /** `http.request` of requests no longer in flight, for a response that comes from the network later. */
  readonly #recorded = new Map<string, Promise<void>>();
  readonly #stop: () => void;
  #disposed = false;

  /** @internal use observeHttp */
  constructor(server: MswServerLike, system: TestSystem) {
    this.#system = system;
    this.label = 'msw lifecycle observer';
    this.#stop = onLifecycle(server, {
      'request:start': (event) => this.#start(event),
      'request:match': (event) => this.#decide(event.requestId, true),
      'request:unhandled': (event) => this.#decide(event.requestId, false),
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
    this.#recorded.clear();
  }

  #start({ request, requestId }: MswLifecycleEvent): void {
    if (this.#disposed || this.#system.tornDown) return;
    const observed: ObservedRequest = { ...seen(request), requestId, handled: undefined, status: undefined };
    this.requests.push(observed);
    let release = (): void => undefined;
    // msw's resolution (handler lookup and resolver) keeps the runtime from being idle.
    void this.#system.runtime.external(new Promise<void>((resolve) => (release = resolve))).catch(() => undefined);
    // The clone is taken now, before any handler reads the body.
    const body = snapshotBody(request).then((snapshot) => void Object.assign(observed, snapshot));
    this.#inFlight.set(requestId, { request: observed, body, release });
  }

  #decide(requestId: string, handled: boolean): void {
    const flight = this.#inFlight.get(requestId);
    if (!flight || flight.request.handled !== undefined) return;
    flight.request.handled = handled;
    // Recorded once the body's copy is in, so the event carries it.
    // A history listener that throws must not leave the request in flight: later events still follow.
    flight.recorded = flight.body.then(() => this.#record('http.request', requestData(flight.request, handled))).catch(() => undefined);
    this.#recorded.set(requestId, flight.recorded);
    // msw's part ends with an unhandled request: it goes to the network (a later `response:bypass`
    // still finds it) or, with `onUnhandledRequest: 'error'`, fails with no `request:end` at all.
    // Tracked any longer, it would keep the system from ever being idle.
    if (!handled) void flight.recorded.then(() => this.#settle(requestId));
  }

  #end({ requestId }: MswLifecycleEvent): void {
    const flight = this.#inFlight.get(requestId);
    if (!flight) return;
    // Neither matched nor unhandled: a passthrough (the `accept: msw/passthrough` header).
    if (flight.request.handled === undefined) this.#decide(requestId, false);
    // Unhandled and passed-through requests go to the real network, which msw reports only on
    // success: stop tracking them once recorded. A matched request's mocked response follows.
    if (!flight.request.handled) void flight.recorded?.then(() => this.#settle(requestId));
  }

  #response({ requestId, response }: MswLifecycleEvent, mocked: boolean): void {
    const request = this.#inFlight.get(requestId)?.request ?? this.requests.find((r) => r.requestId === requestId);
    if (!request) return;
    const after = this.#recorded.get(requestId) ?? Promise.resolve();
    void after
      .then(() => {
        request.status = response?.status;
        this.#recorded.delete(requestId);
        try {
          this.#record('http.response', { method: request.method, url: request.url, status: response?.status, mocked });
        } finally {
          this.#settle(requestId);
        }
      })
      .catch(() => undefined);
  }

  #settle(requestId: string): void {
    const flight = this.#inFlight.get(requestId);
    if (!flight) return;
    flight.release();
    this.#inFlight.delete(requestId);
  }

  #record<K extends 'http.request' | 'http.response'>(kind: K, data: QuiesceEvents[K]): void {
    if (!this.#disposed && !this.#system.tornDown) this.#system.record(kind, 'msw', data);
  }
}

/** The `http.request` event's data: what was asked, then whether a handler answered. */
function requestData(request: ObservedRequest, handled: boolean): QuiesceEvents['http.request'] {
  const { method, url, headers, body, bodyEncoding, bodyTruncated } = request;
  return {
    method,
    url,
    headers,
    ...(body !== undefined ? { body } : {}),
    ...(bodyEncoding ? { bodyEncoding } : {}),
    ...(bodyTruncated ? { bodyTruncated } : {}),
    handled,
  };
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
  if (system.tornDown)
    throw new QuiesceError('AFTER_TEARDOWN', "observeHttp: the test's system has been torn down; activity after teardown is rejected", {
      operation: 'observeHttp',
    });
  const observer = system.own(new HttpObserver(server, system));
  bySystem.set(system, observer);
  return observer;
}
