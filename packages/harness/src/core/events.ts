/**
 * The harness's history events, merged into the runtime's event map (docs/events.md): the test's
 * system, ports, probes, observers and HTTP traffic seen by msw. A ground-floor file: it imports
 * only the runtime's types, and every room of the harness may use it.
 */
import type { CustomKind, EventData, EventKind, HistoryEvent, QuiesceEvents } from '@quiesce/runtime';

export interface HarnessEvents {
  /**
   * A TestSystem was created: the test's seed, the run's seed and the test's id. Source: `test`.
   * @writer TestSystem
   */
  'system.start': { seed: number; runSeed: number; testId: string };
  /**
   * `system.start` adopted a started tree: linked to the test, stopped at teardown. Source: `test`.
   * @writer TestSystem
   */
  'system.adopt': { pid: string; label: string; createdAt: string };
  /**
   * Teardown finished; `leaks` is how many things outlived it. Source: `test`.
   * @writer TestSystem
   */
  'system.teardown': { leaks: number };
  /**
   * `system.port()` leased a port number (tier 4), after `attempts` tries. Source: `ports`.
   * @writer ports
   */
  'port.lease': { port: number; tier: 'lease'; attempts: number; reclaimed?: true };
  /**
   * A leased port was given back (teardown or `system.releasePort`). Source: `ports`.
   * @writer ports
   */
  'port.release': { port: number; tier: 'lease' };
  /**
   * `system.listen(server)` bound a server to port 0 (tier 2). Source: `ports`.
   * @writer ports
   */
  'port.listen': { port: number; tier: 'bind0'; host: string };
  /**
   * A server bound by `system.listen` was closed, its open connections destroyed. Source: `ports`.
   * @writer ports
   */
  'port.close': { port: number; tier: 'bind0'; destroyedConnections: number };
  /**
   * One TCP connection attempt of `awaitListening`. Source: `host:port`.
   * @writer probes
   */
  'probe.tcp': { host: string; port: number; attempt: number; ok: boolean; error?: string };
  /**
   * One GET of `awaitHealthy`, with the status it got or the error. Source: the URL.
   * @writer probes
   */
  'probe.http': { url: string; attempt: number; ok: boolean; status?: number; error?: string };
  /**
   * An observer (`system.observe`, `system.bridgeDiagnostics`) attached to its source. Source: its label.
   * @writer observers
   */
  'observer.start': Record<string, never>;
  /**
   * An observer detached, after recording `recorded` events. Source: its label.
   * @writer observers
   */
  'observer.stop': { recorded: number };
  /**
   * An observer's mapping threw or returned no event; the test fails at teardown. Source: its label.
   * @writer observers
   */
  'observer.error': { code: string; message: string };
  /**
   * msw decided on a request: `handled` when a handler matched; the body a bounded copy. Source: `msw`.
   * @writer msw helpers (observeHttp, expectRequest, collectUnhandled)
   */
  'http.request': {
    method: string;
    url: string;
    headers: Record<string, string>;
    body?: string;
    bodyEncoding?: 'base64';
    bodyTruncated?: true;
    handled: boolean;
  };
  /**
   * A response came back, `mocked` by a handler or from the network. Source: `msw`.
   * @writer msw helpers (observeHttp, expectRequest, collectUnhandled)
   */
  'http.response': { method: string; url: string; status: number | undefined; mocked: boolean };
}

declare module '@quiesce/runtime' {
  // Declaration merging: the harness's kinds join the one event map.
  interface QuiesceEvents extends HarnessEvents {}
}

/**
 * What records into a test's history (a TestSystem, or what stands for it in a room that must not
 * import it): a declared kind with its payload, or a custom kind with any data (default `{}`).
 */
export interface EventRecorder {
  record<K extends EventKind>(kind: K, source: string, data: QuiesceEvents[K]): HistoryEvent<K, QuiesceEvents[K]>;
  record<K extends string>(kind: CustomKind<K>, source: string, data?: unknown): HistoryEvent<K>;
}

/**
 * A pattern for one value, as `matches()` reads it: the value itself, a predicate, a RegExp for a
 * string, or (for objects and arrays) the same shape with patterns inside, any key left out.
 * Vitest's asymmetric matchers (`expect.any(Number)`) fit anywhere.
 */
export type ValuePattern<T> =
  | T
  | ((value: T) => unknown)
  | (T extends string ? RegExp : never)
  | (T extends readonly (infer E)[] ? readonly ValuePattern<E>[] : T extends object ? { readonly [P in keyof T]?: ValuePattern<T[P]> } : never);

/** A partial event of kind `K` for `system.until`: every field it names must match; `data` is typed from the map. */
export interface EventPattern<K extends string> {
  readonly kind: K;
  readonly source?: ValuePattern<string>;
  readonly seq?: ValuePattern<number>;
  readonly time?: ValuePattern<number>;
  readonly data?: ValuePattern<EventData<K>>;
}

/** A partial event that names no kind (`{ source: 'pool' }`): any kind whose other fields match. */
export interface AnyKindPattern {
  readonly kind?: undefined;
  readonly source?: ValuePattern<string>;
  readonly seq?: ValuePattern<number>;
  readonly time?: ValuePattern<number>;
  readonly data?: unknown;
}
