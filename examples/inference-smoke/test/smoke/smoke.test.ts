import { expect } from 'vitest';
import { test } from '@quiesce/harness';
import { complete, jsonOf, serviceUnderTest } from '../support/service.js';

// Smoke: is it up, does the one thing it is for work. Run first after a deploy (bin/run-suite.mjs --suite smoke).
test('health answers 200 with the model it serves', async ({ system }) => {
  const base = await serviceUnderTest(system);
  const health = await fetch(`${base}/health`);
  expect(health.status).toBe(200);
  expect(await health.json()).toMatchObject({ status: 'ok', model: expect.any(String) });
  // awaitHealthy recorded its probes: how long the service took to come up is in the history.
  expect(system.history.ofKind('probe.http').at(-1)?.data).toMatchObject({ ok: true, status: 200 });
});

test('a completion answers 200 with choices', async ({ system }) => {
  const base = await serviceUnderTest(system);
  const res = await complete(base, { prompt: 'Hello', max_tokens: 10 });
  expect(res.status).toBe(200);
  const body = await jsonOf(res);
  expect(body.choices).toHaveLength(1);
  expect(body.choices[0]!.text.trim().split(' ')).toHaveLength(10);
});
