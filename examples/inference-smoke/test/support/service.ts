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

/** A completion as the API returns it (the contract suite checks it against a JSON Schema). */
export interface CompletionBody {
  id: string;
  object: string;
  created: number;
  model: string;
  choices: Array<{ text: string; index: number; logprobs: null; finish_reason: string | null }>;
  usage: { prompt_tokens: number; completion_tokens: number; total_tokens: number };
}

/** An error as the API returns it. */
export interface ErrorBody {
  error: { message: string; type: string; param: string | null; code: string };
}

/** The JSON body of a response, typed as the caller expects it (checked by the assertions that follow). */
export async function jsonOf<T = CompletionBody>(res: Response): Promise<T> {
  return (await res.json()) as T;
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
