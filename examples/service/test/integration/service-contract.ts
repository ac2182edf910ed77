import { defineConformance } from '@quiesce/harness';
import { MAX_BODY, MAX_CODE } from '../../src/index.js';
import type { Stack } from '../support/stack.js';

const UNAVAILABLE = /^state store unavailable: .*; the request was not acknowledged, retry it$/;

/**
 * The service's contract against a real Redis and real HTTP on 127.0.0.1, written once and run
 * against each way of getting a Redis (a redis-server process; a container where Docker answers).
 */
export const serviceContract = defineConformance<Stack>('session service', (t) => {
  t.test('API contract: a session is created with an id and an expiry', async ({ impl, expect }) => {
    const created = await impl.call('POST', '/sessions');
    expect(created).toEqual({ status: 201, body: { id: expect.stringMatching(/^[0-9a-f-]{36}$/), expiresAt: expect.any(Number) } });
    expect(await impl.call('GET', `/sessions/${created.body.id}/state`)).toEqual({ status: 200, body: { vars: {} } });
    expect(await impl.call('GET', `/sessions/${created.body.id}/files`)).toEqual({ status: 200, body: { files: [] } });
  });

  t.test('state persists across executions', async ({ impl, expect }) => {
    const { id } = (await impl.call('POST', '/sessions')).body;
    expect(await impl.call('POST', `/sessions/${id}/exec`, { code: 'x = 2; greeting = "hi"' })).toEqual({ status: 200, body: { stdout: '' } });
    expect(await impl.call('POST', `/sessions/${id}/exec`, { code: 'print greeting + " " + x * 21' })).toEqual({ status: 200, body: { stdout: 'hi 42\n' } });
    expect((await impl.call('GET', `/sessions/${id}/state`)).body).toEqual({ vars: { x: 2, greeting: 'hi' } });
  });

  t.test('files written by code are listed and read back', async ({ impl, expect }) => {
    const { id } = (await impl.call('POST', '/sessions')).body;
    await impl.call('POST', `/sessions/${id}/exec`, { code: 'n = 3\nwrite "result.txt" "n=" + n\nwrite "a.log" "ok"' });
    expect((await impl.call('GET', `/sessions/${id}/files`)).body).toEqual({ files: ['a.log', 'result.txt'] });
    expect(await impl.call('GET', `/sessions/${id}/files/result.txt`)).toEqual({ status: 200, body: 'n=3' });
    expect((await impl.call('GET', `/sessions/${id}/files/missing.txt`)).status).toBe(404);
  });

  t.test('sessions are isolated, also when used at the same time', async ({ impl, expect }) => {
    const [a, b] = await Promise.all([impl.call('POST', '/sessions'), impl.call('POST', '/sessions')]);
    await Promise.all([
      impl.call('POST', `/sessions/${a.body.id}/exec`, { code: 'secret = 1' }),
      impl.call('POST', `/sessions/${b.body.id}/exec`, { code: 'other = 2' }),
    ]);
    expect((await impl.call('POST', `/sessions/${b.body.id}/exec`, { code: 'print secret' })).body).toEqual({
      stdout: '',
      error: 'NameError: secret is not defined',
    });
    expect((await impl.call('GET', `/sessions/${a.body.id}/state`)).body.vars).toEqual({ secret: 1 });
    expect((await impl.call('GET', `/sessions/${b.body.id}/state`)).body.vars).toEqual({ other: 2 });
  });

  t.test('a failing run changes nothing; writing state replaces it', async ({ impl, expect }) => {
    const { id } = (await impl.call('POST', '/sessions')).body;
    await impl.call('POST', `/sessions/${id}/exec`, { code: 'x = 1' });
    expect((await impl.call('POST', `/sessions/${id}/exec`, { code: 'x = 5; y = 1 / 0' })).body.error).toBe('ZeroDivisionError: division by zero');
    expect((await impl.call('GET', `/sessions/${id}/state`)).body.vars).toEqual({ x: 1 });
    expect((await impl.call('PUT', `/sessions/${id}/state`, { vars: { a: 'b', n: 7 } })).status).toBe(204);
    expect((await impl.call('GET', `/sessions/${id}/state`)).body.vars).toEqual({ a: 'b', n: 7 });
  });

  t.test('bad input gets a clear 4xx, and no acknowledged data is lost', async ({ impl, expect }) => {
    const { id } = (await impl.call('POST', '/sessions')).body;
    await impl.call('POST', `/sessions/${id}/exec`, { code: 'kept = 42' });
    const bad = async (call: Promise<{ status: number; body: any }>) => (await call).body as { error: string; code: string };

    expect(await bad(impl.raw('POST', `/sessions/${id}/exec`, '{"code": '))).toEqual({ error: 'the body is not valid JSON', code: 'BAD_REQUEST' });
    expect(await bad(impl.raw('POST', `/sessions/${id}/exec`, '[1]'))).toEqual({ error: 'the body must be a JSON object', code: 'BAD_REQUEST' });
    expect(await bad(impl.call('POST', `/sessions/${id}/exec`, { cod: 'x = 1' }))).toEqual({
      error: 'code: got nothing; expected a non-empty string',
      code: 'BAD_REQUEST',
    });
    expect((await bad(impl.call('POST', `/sessions/${id}/exec`, { code: 'x'.repeat(MAX_CODE + 1) }))).error).toBe(
      `code: got ${MAX_CODE + 1} characters; at most ${MAX_CODE}`,
    );
    expect((await impl.raw('POST', `/sessions/${id}/exec`, JSON.stringify({ code: 'x'.repeat(MAX_BODY) }))).status).toBe(413);
    expect(await bad(impl.call('PUT', `/sessions/${id}/state`, { vars: { kept: null } }))).toEqual({
      error: 'vars.kept: got null; expected a finite number or a string of at most 10000 characters',
      code: 'BAD_REQUEST',
    });
    expect(await bad(impl.call('PUT', `/sessions/${id}/state`, { vars: { '1x': 1 } }))).toMatchObject({
      error: expect.stringContaining('"1x" is not a variable name'),
    });
    expect(await impl.call('GET', '/sessions/not%20an%20id/state')).toMatchObject({ status: 400, body: { code: 'BAD_REQUEST' } });
    expect(await impl.call('GET', '/sessions/0b7f4c1e-0000-4000-8000-000000000000/state')).toMatchObject({ status: 404, body: { code: 'SESSION_NOT_FOUND' } });
    expect(await impl.call('PATCH', `/sessions/${id}/state`, {})).toMatchObject({ status: 405, body: { error: 'PATCH is not allowed here; use GET or PUT' } });
    expect((await impl.call('GET', '/nowhere')).status).toBe(404);

    expect((await impl.call('GET', `/sessions/${id}/state`)).body.vars).toEqual({ kept: 42 });
  });

  t.test('Redis expires a forgotten session after the service would (the TTL backstop)', async ({ impl, expect }) => {
    const { id } = (await impl.call('POST', '/sessions')).body;
    await impl.call('POST', `/sessions/${id}/exec`, { code: 'write "f" 1; v = 1' });
    for (const key of [`session:${id}`, `session:${id}:vars`, `session:${id}:files`]) {
      const ttl = (await impl.client.command('PTTL', key)) as number;
      expect(ttl).toBeGreaterThan(30 * 60_000);
      expect(ttl).toBeLessThanOrEqual(31 * 60_000);
    }
  });

  t.test('a deleted session is gone', async ({ impl, expect }) => {
    const { id } = (await impl.call('POST', '/sessions')).body;
    expect((await impl.call('DELETE', `/sessions/${id}`)).status).toBe(204);
    expect((await impl.call('POST', `/sessions/${id}/exec`, { code: 'x = 1' })).status).toBe(404);
    expect((await impl.call('DELETE', `/sessions/${id}`)).status).toBe(404);
  });

  t.test(
    'chaos: Redis paused — requests fail with a clear 503, then succeed after it resumes; the acknowledged write is kept',
    async ({ impl, expect }) => {
      const { id } = (await impl.call('POST', '/sessions')).body;
      await impl.call('POST', `/sessions/${id}/exec`, { code: 'acked = 1' });

      await impl.redis.pause();
      const during = await impl.call('POST', `/sessions/${id}/exec`, { code: 'unacked = 2' });
      expect(during.status).toBe(503);
      expect(during.body.code).toBe('STORE_UNAVAILABLE');
      expect(during.body.error).toMatch(UNAVAILABLE);
      expect(during.body.error).toContain('did not answer within 1000 ms');
      expect((await impl.call('GET', `/sessions/${id}/state`)).status).toBe(503);

      await impl.redis.resume();
      const after = await impl.call('GET', `/sessions/${id}/state`);
      expect(after.status).toBe(200);
      expect(after.body.vars.acked).toBe(1); // the unacknowledged write may or may not have landed: it was never promised
      expect((await impl.call('POST', `/sessions/${id}/exec`, { code: 'print acked + 1' })).body).toEqual({ stdout: '2\n' });
    },
    { tags: ['chaos'] },
  );

  t.test(
    'chaos: Redis killed mid-traffic and restarted — every acknowledged write is still there',
    async ({ impl, system, expect }) => {
      const { id } = (await impl.call('POST', '/sessions')).body;
      let acked = 0;
      let killed: Promise<void> | undefined;
      // 20 concurrent writes; Redis is killed (SIGKILL) as the 5th acknowledgement comes back.
      const results = await Promise.all(
        Array.from({ length: 20 }, async (_, i) => {
          const response = await impl.call('POST', `/sessions/${id}/exec`, { code: `v${i} = ${i}` });
          if (response.status === 200 && ++acked === 5) killed = impl.redis.kill();
          return { i, response };
        }),
      );
      await killed;
      const failed = results.filter((r) => r.response.status !== 200);
      for (const { response } of failed)
        expect(response).toMatchObject({ status: 503, body: { code: 'STORE_UNAVAILABLE', error: expect.stringMatching(UNAVAILABLE) } });

      const down = await impl.call('GET', `/sessions/${id}/state`);
      expect(down).toMatchObject({ status: 503, body: { code: 'STORE_UNAVAILABLE' } });

      await impl.redis.restart();
      // A restarted Redis reads its data back before it serves (it answers LOADING meanwhile): the
      // service's health says when it does, and the test waits for that event, not for a time.
      await system.awaitHealthy(`${impl.url}/health`);
      const state = await impl.call('GET', `/sessions/${id}/state`);
      expect(state.status).toBe(200);
      for (const { i } of results.filter((r) => r.response.status === 200)) expect(state.body.vars[`v${i}`]).toBe(i);
      expect(results.filter((r) => r.response.status === 200).length).toBeGreaterThanOrEqual(5);
    },
    { tags: ['chaos'] },
  );
});
