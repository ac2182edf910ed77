import { describe, expect, onTestFinished } from 'vitest';
import { createTestSystem, test } from '@quiesce/harness';
import { QuiesceError } from '@quiesce/runtime';
import { realNow } from '@quiesce/runtime/internal';
import { chaos, FAULT_KINDS } from '@quiesce/chaos';
import { MSW_MAJORS, type MswApi } from '../../harness/test/msw/majors.js';

/** A listening msw server of this test only, answering the pods API; closed when the test ends. */
function podsServer(api: MswApi) {
  const { http, HttpResponse } = api;
  const server = api.setupServer(
    http.get('http://api.test/pods/:id', ({ params }) => HttpResponse.json({ id: params.id, gpu: 'h100', region: 'eu-west' })),
    http.post('http://api.test/pods', () => HttpResponse.json({ id: 'pod_1' }, { status: 201 })),
  );
  server.listen(api.bypass as never);
  onTestFinished(() => server.close());
  return server;
}

/** What a fetch came to: its status and body, or the error it rejected with (at fetch or while reading the body). */
async function outcome(url: string, init?: RequestInit): Promise<{ status?: number; body?: string; retryAfter?: string | null; error?: string }> {
  let response: Response;
  try {
    response = await fetch(url, init);
  } catch (error) {
    return { error: (error as Error).name };
  }
  try {
    return { status: response.status, body: await response.text(), retryAfter: response.headers.get('retry-after') };
  } catch (error) {
    return { status: response.status, error: (error as { code?: string }).code ?? (error as Error).name };
  }
}

// A part this machine lacks is named, with how to get it: in the suite's title and in the output.
for (const { name, missing } of MSW_MAJORS) if (missing) console.warn(`[quiesce] the ${name} HTTP fault tests are skipped: ${missing}`);
const majors = MSW_MAJORS.map((m) => ({ ...m, title: m.missing ? `${m.name} (skipped: ${m.missing})` : m.name }));

describe.each(majors)('HTTP faults, $title', ({ supported, load }) => {
  test.skipIf(!supported)('status: the first `count` requests get a 503, later ones the handler; 429 carries Retry-After', async ({ system }) => {
    const api = await load();
    const server = podsServer(api);
    const faults = chaos(system).http(server, { http: api.http });
    faults.fault('status', { method: 'GET', path: 'http://api.test/pods/:id', status: 503, count: 2 });
    const got = [];
    for (let i = 0; i < 3; i++) got.push((await outcome(`http://api.test/pods/p${i}`)).status);
    expect(got).toEqual([503, 503, 200]);
    faults.fault('status', { path: 'http://api.test/pods', method: 'post', status: 429, retryAfter: 7, count: 1 });
    expect(await outcome('http://api.test/pods', { method: 'POST' })).toMatchObject({ status: 429, retryAfter: '7' });
    expect(await outcome('http://api.test/pods', { method: 'POST' })).toMatchObject({ status: 201 });
    const hits = system.history
      .ofKind(FAULT_KINDS.http)
      .map((e) => [
        (e.data as Record<string, unknown>).action,
        (e.data as Record<string, unknown>).method,
        (e.data as Record<string, unknown>).url,
        (e.data as Record<string, unknown>).status,
      ]);
    expect(hits).toEqual([
      ['status', 'GET', 'http://api.test/pods/p0', 503],
      ['status', 'GET', 'http://api.test/pods/p1', 503],
      ['status', 'POST', 'http://api.test/pods', 429],
    ]);
  });

  test.skipIf(!supported)('network error: fetch rejects; another method on the route is untouched', async ({ system }) => {
    const api = await load();
    const faults = chaos(system).http(podsServer(api), { http: api.http });
    faults.fault('network_error', { method: 'POST', path: 'http://api.test/pods' });
    expect(await outcome('http://api.test/pods', { method: 'POST' })).toEqual({ error: 'TypeError' });
    expect(await outcome('http://api.test/pods/a')).toMatchObject({ status: 200 });
    expect(system.history.ofKind(FAULT_KINDS.http).map((e) => e.data.action)).toEqual(['network_error']);
  });

  test.skipIf(!supported)('latency: the handler answers, at least the latency later', async ({ system }) => {
    const api = await load();
    chaos(system).http(podsServer(api), { http: api.http }).fault('latency', { path: 'http://api.test/pods/*', latency: 60, jitter: 20 });
    const start = realNow();
    expect(JSON.parse((await outcome('http://api.test/pods/a')).body!)).toMatchObject({ id: 'a' });
    const [hit] = system.history.ofKind(FAULT_KINDS.http);
    expect((hit!.data as { latency: number }).latency).toBeGreaterThanOrEqual(60);
    expect(realNow() - start).toBeGreaterThanOrEqual(60); // the lower bound the fault guarantees, not a speed claim
  });

  test.skipIf(!supported)('body faults: slow (intact), truncated (short), malformed (unparseable), reset (reading rejects)', async ({ system }) => {
    const api = await load();
    const faults = chaos(system).http(podsServer(api), { http: api.http });
    const full = JSON.stringify({ id: 'a', gpu: 'h100', region: 'eu-west' });

    const slow = faults.fault('slow_body', { path: 'http://api.test/pods/:id', delay: 5, chunkSize: 4, count: 1 });
    expect((await outcome('http://api.test/pods/a')).body).toBe(full);
    expect(slow.active).toBe(false);

    faults.fault('truncated_body', { path: 'http://api.test/pods/:id', bytes: 10, count: 1 });
    expect(await outcome('http://api.test/pods/a')).toMatchObject({ status: 200, body: full.slice(0, 10) });

    faults.fault('malformed_body', { path: 'http://api.test/pods/:id', count: 1 });
    const malformed = await outcome('http://api.test/pods/a');
    expect(() => JSON.parse(malformed.body!)).toThrow(SyntaxError);

    faults.fault('reset', { path: 'http://api.test/pods/:id', bytes: 5, count: 1 });
    // msw 2 hands the response over and reading the body rejects; msw 3 reads it as it responds, so the fetch rejects.
    const reset = await outcome('http://api.test/pods/a');
    expect(reset.error).toEqual(expect.any(String));
    expect(reset.body).toBeUndefined();

    expect(await outcome('http://api.test/pods/a')).toMatchObject({ status: 200, body: full });
    const hits = system.history
      .ofKind(FAULT_KINDS.http)
      .map((e) => ({ action: (e.data as Record<string, unknown>).action, bodyBytes: (e.data as Record<string, unknown>).bodyBytes }));
    expect(hits).toEqual(['slow_body', 'truncated_body', 'malformed_body', 'reset'].map((action) => ({ action, bodyBytes: full.length })));
  });

  test.skipIf(!supported)('rates come from the seed: the same seed hits the same requests; heal lets them all through', async () => {
    const api = await load();
    const server = podsServer(api);
    async function pattern(seed: number): Promise<string> {
      const system = createTestSystem({ testId: 'http-rate', seed });
      const fault = chaos(system).http(server, { http: api.http }).fault('status', { path: 'http://api.test/pods/:id', status: 500, rate: 0.5 });
      let marks = '';
      for (let i = 0; i < 24; i++) marks += (await outcome(`http://api.test/pods/${i}`)).status === 500 ? 'x' : '.';
      fault.heal();
      marks += (await outcome('http://api.test/pods/healed')).status === 500 ? 'x' : '.';
      await system.teardown();
      return marks;
    }
    const a = await pattern(99);
    expect(a).toMatch(/x/);
    expect(a).toMatch(/\.$/);
    expect(await pattern(99)).toBe(a);
    // Teardown took the fault handlers off the server: only its own two remain.
    expect(server.listHandlers()).toHaveLength(2);
  });

  test.skipIf(!supported)("a server carrying another live test's faults is refused; once that test ends it is free", async () => {
    const api = await load();
    const server = podsServer(api);
    const first = createTestSystem({ testId: 'http-a', seed: 1 });
    const second = createTestSystem({ testId: 'http-b', seed: 1 });
    chaos(first).http(server, { http: api.http }).fault('network_error', { path: '*' });
    expect(() => chaos(second).http(server, { http: api.http })).toThrow(expect.objectContaining({ code: 'NOT_OWNED' }));
    await first.teardown();
    expect(await outcome('http://api.test/pods/a')).toMatchObject({ status: 200 });
    expect(() => chaos(second).http(server, { http: api.http })).not.toThrow();
    await second.teardown();
  });
});

describe('HTTP fault options', () => {
  test('a fault type or option it does not know is a QuiesceError naming it', ({ system }) => {
    const fakeServer = { use: () => undefined, listHandlers: () => [], resetHandlers: () => undefined };
    const faults = chaos(system).http(fakeServer, { http: { all: () => ({}) } });
    expect(() => faults.fault('teapot' as never, { path: '*' } as never)).toThrow(QuiesceError);
    expect(() => faults.fault('status', { path: '*', status: 404 })).toThrow(/status/);
    expect(() => faults.fault('status', { path: '*', status: 500, retryAfter: 3 })).toThrow(/retryAfter/);
    expect(() => chaos(system).http({} as never, { http: { all: () => ({}) } })).toThrow(/http\(server\)/);
  });
});
