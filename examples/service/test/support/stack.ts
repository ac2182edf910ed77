import type { TestSystem } from '@quiesce/harness';
import { createHttpServer, RespClient, SessionService, type SessionOptions } from '../../src/index.js';
import type { RedisBackend } from './redis.js';

/** The service under test, on 127.0.0.1 (bound to port 0), in front of a Redis backend. */
export interface Stack {
  redis: RedisBackend;
  url: string;
  client: RespClient;
  /** A request to the service: status and parsed body. */
  call(method: string, path: string, body?: unknown): Promise<{ status: number; body: any }>;
  /** Send raw bytes as a body (malformed JSON and the like). */
  raw(method: string, path: string, body: string): Promise<{ status: number; body: any }>;
}

/**
 * Start the service against `redis`. Its Redis client and HTTP server are owned by the system:
 * closed at teardown and checked for leaks. The command timeout is the service's own production
 * setting made short, so a paused Redis fails a request quickly; nothing in the tests waits on it.
 */
export async function startStack(system: TestSystem, redis: RedisBackend, options: SessionOptions = {}): Promise<Stack> {
  const client = new RespClient({ port: redis.port, commandTimeout: 1000 });
  system.own({ kind: 'client', label: `redis client -> 127.0.0.1:${redis.port}`, dispose: () => client.close(), alive: () => client.connected });
  const server = createHttpServer(new SessionService(client, options));
  const port = await system.listen(server);
  const url = `http://127.0.0.1:${port}`;
  const parse = async (response: Response) => {
    const text = await response.text();
    return { status: response.status, body: text && response.headers.get('content-type')?.includes('json') ? JSON.parse(text) : text };
  };
  return {
    redis,
    url,
    client,
    call: async (method, path, body) =>
      parse(
        await fetch(`${url}${path}`, {
          method,
          ...(body !== undefined ? { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } } : {}),
        }),
      ),
    raw: async (method, path, body) => parse(await fetch(`${url}${path}`, { method, body, headers: { 'content-type': 'application/json' } })),
  };
}
