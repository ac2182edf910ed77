import { collectUnhandled, type TestSystem, useHandlers } from '@quiesce/harness';
import { setupServer } from 'msw/node';
import { afterAll, beforeAll } from 'vitest';
import { HttpProvider } from '../../src/index.js';
import { podApi } from './pod-api.js';

/** One msw server per test file, listening for the whole file; tests add their own handlers. */
export function mswServer() {
  const server = setupServer();
  beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
  afterAll(() => server.close());
  return server;
}

let apis = 0;

/**
 * A fresh fake pod API for one test, at a base URL of its own, plus the HTTP provider pointed at it.
 * Its handlers leave the server when the test ends, and a request no handler took fails the test.
 */
export function httpProviderFor(server: ReturnType<typeof setupServer>, system: TestSystem) {
  const baseUrl = `https://api-${++apis}.pods.test/v1`;
  const api = podApi(baseUrl);
  useHandlers(server, api.handlers, { system });
  collectUnhandled(server, { system });
  return { provider: new HttpProvider({ baseUrl, apiKey: 'test-key' }), api, baseUrl };
}
