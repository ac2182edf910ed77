// The runnable examples of docs/chaos.md's HTTP and time sections.
import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { expect, onTestFinished } from 'vitest';
import { test } from '@quiesce/harness';
import type { ServerBehaviour } from '@quiesce/runtime';
import { chaos, FAULT_KINDS } from '@quiesce/chaos';

/** A client that retries a 503 or a 429 answer, up to `attempts` requests in all. */
async function getPod(id: string, attempts = 3): Promise<{ id: string }> {
  for (let attempt = 1; ; attempt++) {
    const response = await fetch(`http://api.test/pods/${id}`);
    if (response.ok) return (await response.json()) as { id: string };
    if (attempt === attempts || (response.status !== 503 && response.status !== 429)) throw new Error(`GET /pods/${id}: ${response.status}`);
  }
}

test('HTTP faults: the first two requests get a 503; a client that retries still gets its pod', async ({ system }) => {
  const api = setupServer(http.get('http://api.test/pods/:id', ({ params }) => HttpResponse.json({ id: params.id })));
  api.listen();
  onTestFinished(() => api.close());
  chaos(system).http(api, { http }).fault('status', { method: 'GET', path: 'http://api.test/pods/:id', status: 503, count: 2 });
  await expect(getPod('p1')).resolves.toEqual({ id: 'p1' });
  expect(system.history.ofKind(FAULT_KINDS.http).map((e) => (e.data as Record<string, unknown>).status)).toEqual([503, 503]);
});

test('clock jump: a lease checked against ctx.now() expires at once when the clock jumps past it', async ({ system }) => {
  // A lock server whose lease lasts 10 s; it checks expiry when asked.
  const lock: ServerBehaviour<{ until: number }> = {
    init: (_args, ctx) => ({ state: { until: ctx.now() + 10_000 } }),
    handleCall: (_held, _from, state, ctx) => ({ reply: ctx.now() < state.until, state }),
  };
  const pid = await system.startServer(lock, undefined);
  expect(await system.call(pid, 'held?')).toBe(true);
  await chaos(system).clockJump(30_000);
  expect(await system.call(pid, 'held?')).toBe(false);
  expect(system.history.ofKind(FAULT_KINDS.clockJump)[0]!.data).toMatchObject({ ms: 30_000 });
});
