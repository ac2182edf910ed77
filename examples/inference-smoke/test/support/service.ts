import type { TestSystem } from '@quiesce/harness';
import { createInferenceService } from '../../src/index.js';

/**
 * The base URL of the service under test. By default a fresh in-process service per test, bound by
 * the harness to 127.0.0.1:0 (no fixed port, closed at teardown). With INFERENCE_URL set (the
 * runner, bin/run-suite.mjs, sets it) the same tests run against that deployed service instead.
 * Either way the test first waits for /health: probes with a bounded backoff, recorded in the history.
 */
export async function serviceUnderTest(system: TestSystem): Promise<string> {
  const deployed = process.env.INFERENCE_URL;
  const base = deployed ? deployed.replace(/\/+$/, '') : `http://127.0.0.1:${await system.listen(createInferenceService().server)}`;
  await system.awaitHealthy(`${base}/health`, { timeout: 10_000 });
  return base;
}

/** POST a JSON body to /v1/completions. */
export function complete(base: string, body: unknown, init: RequestInit = {}): Promise<Response> {
  return fetch(`${base}/v1/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: typeof body === 'string' ? body : JSON.stringify(body),
    ...init,
  });
}

/** A user id of this test's own, so usage figures are not shared with other tests on a deployed service. */
export function userOf(system: TestSystem): string {
  return `user-${system.seed}`;
}
