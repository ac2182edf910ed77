import { InvalidOptionError } from '@quiesce/runtime';
import { snapshotHeaders } from './request-snapshot.js';

/**
 * What the helpers use of an msw server: the API msw 2 and msw 3 share (`setupServer` from
 * 'msw/node'). Lifecycle listeners receive `{ request, requestId, response? }`: a plain object in
 * older msw 2 releases, an event object with those properties in msw 2.15+ and 3.
 */
export interface MswServerLike {
  use(...handlers: never[]): void;
  /** Both majors have these; the helpers use them to remove the handlers they added when the test ends. */
  listHandlers?(): ReadonlyArray<unknown>;
  resetHandlers?(...handlers: never[]): void;
  readonly events: {
    on(type: string, listener: (event: never) => void): unknown;
    removeListener(type: string, listener: (event: never) => void): unknown;
  };
}

/**
 * An msw request handler (`http.get(...)`, `graphql.query(...)`). Its resolver is a field msw 2
 * and 3 both call at run time (`protected` in their types, so it is not named here).
 */
export interface MswHandlerLike {
  readonly info: { readonly header?: string; readonly method?: unknown; readonly path?: unknown };
  run(args: never): unknown;
}

/** The handler as the helpers use it at run time. */
export type MswHandlerInternals = MswHandlerLike & { resolver: (info: { request: Request }) => unknown };

/** A lifecycle event's payload, as the helpers read it. */
export interface MswLifecycleEvent {
  readonly request: Request;
  readonly requestId: string;
  readonly response?: Response;
}

/** A request the helpers saw. */
export interface SeenRequest {
  readonly method: string;
  readonly url: string;
  /** Header names (lower case) to values; `authorization` and `cookie` values are redacted. */
  readonly headers: Readonly<Record<string, string>>;
}

export function assertServer(server: unknown, where: string): asserts server is MswServerLike {
  const s = server as Partial<MswServerLike> | null;
  if (
    typeof s !== 'object' ||
    s === null ||
    typeof s.use !== 'function' ||
    typeof s.events?.on !== 'function' ||
    typeof s.events.removeListener !== 'function'
  ) {
    throw new InvalidOptionError(`${where}(server)`, server, "an msw server from setupServer() ('msw/node', msw 2 or 3)");
  }
}

/** Subscribe to lifecycle events; returns the unsubscribe function. */
export function onLifecycle(server: MswServerLike, listeners: Record<string, (event: MswLifecycleEvent) => void>): () => void {
  const entries = Object.entries(listeners) as Array<[string, (event: never) => void]>;
  for (const [type, listener] of entries) server.events.on(type, listener);
  return () => {
    for (const [type, listener] of entries) server.events.removeListener(type, listener);
  };
}

export function seen(request: Request): SeenRequest {
  return { method: request.method, url: request.url, headers: snapshotHeaders(request.headers) };
}
