import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import type { GraphQLHandler as GraphQLHandler2, HttpHandler as HttpHandler2 } from 'msw';
import type { SetupServerApi as SetupServer2 } from 'msw/node';
import { describe, expect, expectTypeOf, onTestFinished } from 'vitest';
import { QuiesceError } from '@quiesce/runtime';
import {
  collectUnhandled,
  createTestSystem,
  expectRequest,
  MAX_RECORDED_BODY,
  observeHttp,
  RequestExpectationError,
  test,
  UnhandledRequestError,
  useHandlers,
  type MswHandlerLike,
  type MswServerLike,
} from '@quiesce/harness';
import { resolveCollectUnhandledOptions, resolveExpectRequestOptions, resolveUseHandlersOptions } from '@quiesce/harness/internal';
import { cleanEnv, runVitest } from '../preset/vitest-subprocess.js';
import { MSW_MAJORS, realServer, type MswApi } from './majors.js';

/** Vitest's JSON report, as far as these tests read it. */
interface JsonReport {
  testResults: Array<{ assertionResults: Array<{ title: string; status: string; failureMessages: string[] }> }>;
}

/** Headers differ by major: msw 3 sees the client's default headers too (host, user-agent, ...). */
const anyHeaders = expect.any(Object) as unknown as Record<string, string>;

/** A listening msw server for this test only, closed when the test ends. */
function listening(api: MswApi) {
  const server = api.setupServer();
  server.listen(api.bypass as never);
  onTestFinished(() => server.close());
  return server;
}

/**
 * A listening msw server that already holds handlers of its own: `initial` (given to setupServer,
 * what a reset goes back to) and `before` (added with `use` before the test's own).
 */
function withNeighbours(api: MswApi) {
  const initial = api.http.get('http://api.test/initial', () => api.HttpResponse.text('initial'));
  const server = api.setupServer(initial);
  server.listen(api.bypass as never);
  onTestFinished(() => server.close());
  const before = api.http.get('http://api.test/before', () => api.HttpResponse.text('before'));
  server.use(before);
  return { server, initial, before };
}

/** A real server on 127.0.0.1:0 for requests no handler takes, closed when the test ends. */
async function network() {
  const real = await realServer();
  onTestFinished(() => real.close());
  return real;
}

// A part this machine lacks is named, with how to get it: in the suite's title and in the output.
for (const { name, missing } of MSW_MAJORS) if (missing) console.warn(`[quiesce] the ${name} tests of this file are skipped: ${missing}`);
const majors = MSW_MAJORS.map((m) => ({ ...m, title: m.missing ? `${m.name} (skipped: ${m.missing})` : m.name }));

describe.each(majors)('$title', ({ name, supported, load }) => {
  test.skipIf(!supported)('expectRequest: a handler hit exactly once passes at test end', async () => {
    const { http, HttpResponse, ...api } = await load();
    const server = listening({ http, HttpResponse, ...api });
    const expectation = expectRequest(
      server,
      http.get('http://api.test/users/:id', ({ params }) => HttpResponse.json({ id: params.id })),
    );
    const response = await fetch('http://api.test/users/42');
    expect(await response.json()).toEqual({ id: '42' });
    expect(expectation.description).toBe('GET http://api.test/users/:id');
    expect(expectation.requests).toEqual([{ method: 'GET', url: 'http://api.test/users/42', headers: anyHeaders }]);
  });

  test.skipIf(!supported)('expectRequest: a different count fails at test end, naming method, URL and count', async () => {
    const { http, HttpResponse, ...rest } = await load();
    const server = listening({ http, HttpResponse, ...rest });
    const finish: Array<() => void> = [];
    const onFinished = (fn: () => void) => void finish.push(fn);
    expectRequest(
      server,
      http.post('http://api.test/pods', () => HttpResponse.json({ id: 'pod_1' }, { status: 201 })),
      { onTestFinished: onFinished },
    );
    expectRequest(
      server,
      http.delete('http://api.test/pods/:id', () => new HttpResponse(null, { status: 204 })),
      { onTestFinished: onFinished, times: 0 },
    );
    expectRequest(
      server,
      http.get('http://api.test/health', () => HttpResponse.text('ok')),
      { onTestFinished: onFinished, times: 2 },
    );
    await fetch('http://api.test/pods', { method: 'POST' });
    await fetch('http://api.test/pods?retry=1', { method: 'POST' });
    await fetch('http://api.test/health');

    expect(finish).toHaveLength(3);
    const errors = finish.map((fn) => {
      try {
        fn();
        return undefined;
      } catch (error) {
        return error;
      }
    });
    expect(errors[0]).toBeInstanceOf(RequestExpectationError);
    expect((errors[0] as Error).message).toBe(
      'expected POST http://api.test/pods to be requested 1 time(s), but it was requested 2 time(s):\n  - POST http://api.test/pods\n  - POST http://api.test/pods?retry=1',
    );
    expect(errors[1]).toBeUndefined();
    expect((errors[2] as Error).message).toBe(
      'expected GET http://api.test/health to be requested 2 time(s), but it was requested 1 time(s):\n  - GET http://api.test/health',
    );
  });

  test.skipIf(!supported)('expectRequest counts only the requests its handler answered', async () => {
    const { http, HttpResponse, ...rest } = await load();
    const server = listening({ http, HttpResponse, ...rest });
    const shadowed = expectRequest(
      server,
      http.get('http://api.test/jobs', () => HttpResponse.text('old')),
      { times: 0 },
    );
    // server.use prepends: the newer handler answers first.
    const answering = expectRequest(
      server,
      http.get('http://api.test/jobs', () => HttpResponse.text('new')),
      { times: 2 },
    );
    expect(await (await fetch('http://api.test/jobs')).text()).toBe('new');
    expect(await (await fetch('http://api.test/jobs')).text()).toBe('new');
    expect(shadowed.requests).toEqual([]);
    expect(answering.requests).toHaveLength(2);
  });

  test.skipIf(!supported)('collectUnhandled names every request no handler took', async () => {
    const { http, HttpResponse, ...rest } = await load();
    const server = listening({ http, HttpResponse, ...rest });
    const real = await network();
    server.use(http.get(`${real.origin}/mocked`, () => HttpResponse.text('mocked')));
    const finish: Array<() => void> = [];
    const collector = collectUnhandled(server, { onTestFinished: (fn) => void finish.push(fn) });
    expect(await (await fetch(`${real.origin}/mocked`)).text()).toBe('mocked');
    expect(await (await fetch(`${real.origin}/missing?x=1`, { method: 'PUT', body: 'b' })).text()).toBe('real PUT /missing?x=1');
    const textPlain = expect.objectContaining({ 'content-type': 'text/plain;charset=UTF-8' });
    expect(collector.requests).toEqual([{ method: 'PUT', url: `${real.origin}/missing?x=1`, headers: textPlain }]);
    expect(finish).toHaveLength(1);
    expect(() => finish[0]!()).toThrow(UnhandledRequestError);
    expect(() => collector.verify()).toThrow(`1 request(s) had no msw handler:\n  - PUT ${real.origin}/missing?x=1`);
  });

  test.skipIf(!supported)('collectUnhandled ignore: requests meant for the network pass, the rest are named, the history keeps both', async () => {
    const { http, HttpResponse, ...rest } = await load();
    const server = listening({ http, HttpResponse, ...rest });
    const own = await network();
    const stray = await network();
    server.use(http.get('http://api.test/mocked', () => HttpResponse.text('mocked')));
    const collecting = createTestSystem({ testId: 'msw-ignore' });
    const collector = collectUnhandled(server, { system: collecting, ignore: ({ url }) => url.startsWith(`${own.origin}/`) });
    expect(await (await fetch('http://api.test/mocked')).text()).toBe('mocked');
    expect(await (await fetch(`${own.origin}/run`)).text()).toBe('real GET /run');
    expect(await (await fetch(`${stray.origin}/oops`)).text()).toBe('real GET /oops');
    expect(collector.requests.map((r) => r.url)).toEqual([`${stray.origin}/oops`]);
    const recorded = collecting.history.ofKind('http.request').map((e) => [e.data.url, e.data.handled]);
    expect(recorded).toEqual([
      ['http://api.test/mocked', true],
      [`${own.origin}/run`, false],
      [`${stray.origin}/oops`, false],
    ]);
    await expect(collecting.teardown()).rejects.toThrow(`1 request(s) had no msw handler:\n  - GET ${stray.origin}/oops`);
  });

  test.skipIf(!supported)('collectUnhandled ignore that throws lets nothing through: the request is named', async () => {
    const { http, HttpResponse, ...rest } = await load();
    const server = listening({ http, HttpResponse, ...rest });
    const real = await network();
    const finish: Array<() => void> = [];
    const collector = collectUnhandled(server, {
      onTestFinished: (fn) => void finish.push(fn),
      ignore: () => {
        throw new Error('a bug in the predicate');
      },
    });
    await fetch(`${real.origin}/x`);
    expect(collector.requests.map((r) => r.url)).toEqual([`${real.origin}/x`]);
    expect(() => finish[0]!()).toThrow(UnhandledRequestError);
    expect(() => collectUnhandled(server, { ignore: 'localhost' as never })).toThrow(
      /collectUnhandled options\.ignore: got "localhost"; expected a function \(request: \{ method, url, headers \}\) => boolean/,
    );
  });

  test.skipIf(!supported)('with a TestSystem, traffic lands in its history and waits follow it', async ({ system }) => {
    const { http, HttpResponse, ...rest } = await load();
    const server = listening({ http, HttpResponse, ...rest });
    const real = await network();
    expectRequest(
      server,
      http.get('http://api.test/slow', async () => HttpResponse.json({ done: true }, { status: 202 })),
      { system },
    );

    // The wait starts before the request and resolves on its event, not on a guess.
    const seenResponse = system.until({ kind: 'http.response', data: { url: 'http://api.test/slow' } });
    const pending = fetch('http://api.test/slow');
    const event = await seenResponse;
    expect(event.data).toEqual({ method: 'GET', url: 'http://api.test/slow', status: 202, mocked: true });
    expect((await pending).status).toBe(202);

    await fetch(`${real.origin}/elsewhere`);
    const requests = system.history.ofKind('http.request').map((e) => e.data);
    expect(requests).toEqual([
      { method: 'GET', url: 'http://api.test/slow', headers: anyHeaders, handled: true },
      { method: 'GET', url: `${real.origin}/elsewhere`, headers: anyHeaders, handled: false },
    ]);
    // expectRequest started the observer; asking again gives the same one.
    const observer = observeHttp(server, system);
    expect(observeHttp(server, system)).toBe(observer);
    expect(observer.requests.map((r) => [r.url, r.handled, r.status])).toEqual([
      ['http://api.test/slow', true, 202],
      [`${real.origin}/elsewhere`, false, 200],
    ]);
    expect(observer.inFlight).toBe(0);
  });

  test.skipIf(!supported)('with a TestSystem, a failed check fails its teardown', async () => {
    const { http, HttpResponse, ...rest } = await load();
    const server = listening({ http, HttpResponse, ...rest });
    const real = await network();

    const expecting = createTestSystem({ testId: 'msw-teardown-expect' });
    expectRequest(
      server,
      http.get('http://api.test/never', () => HttpResponse.text('x')),
      { system: expecting },
    );
    await expect(expecting.teardown()).rejects.toThrow(
      /^expected GET http:\/\/api\.test\/never to be requested 1 time\(s\), but it was requested 0 time\(s\)$/,
    );

    const collecting = createTestSystem({ testId: 'msw-teardown-unhandled' });
    const unhandled = collectUnhandled(server, { system: collecting });
    await fetch(`${real.origin}/other`);
    expect(unhandled.requests).toEqual([{ method: 'GET', url: `${real.origin}/other`, headers: anyHeaders }]);
    const recorded = collecting.history.ofKind('http.request').map((e) => e.data);
    expect(recorded).toEqual([{ method: 'GET', url: `${real.origin}/other`, headers: anyHeaders, handled: false }]);
    await expect(collecting.teardown()).rejects.toThrow(`1 request(s) had no msw handler:\n  - GET ${real.origin}/other`);
  });

  test.skipIf(!supported)('bad input throws QuiesceError and leaves the server as it was', async () => {
    const { http, HttpResponse, ...rest } = await load();
    const server = listening({ http, HttpResponse, ...rest });
    const handler = http.get('http://api.test/x', () => HttpResponse.text('x'));
    const before = server.listHandlers().length;
    expect(() => expectRequest({} as never, handler)).toThrow(/expectRequest\(server\): got \{\}; expected an msw server/);
    expect(() => expectRequest(server, {} as never)).toThrow(/expectRequest\(handler\)/);
    expect(() => expectRequest(server, handler, { times: -1 })).toThrow(/expectRequest options\.times: got -1; expected an integer >= 0/);
    expect(() => expectRequest(server, handler, { time: 2 } as never)).toThrow(/expectRequest options\.time: got 2; no such option, did you mean 'times'\?/);
    const tornDown = createTestSystem();
    await tornDown.teardown();
    expect(() => expectRequest(server, handler, { system: tornDown })).toThrow(QuiesceError);
    expect(() => collectUnhandled(server, { system: tornDown })).toThrow(/torn down/);
    expect(() => collectUnhandled(server, 'x' as never)).toThrow(/collectUnhandled options: got "x"/);
    expect(server.listHandlers().length).toBe(before);
    // The rejected handler was not added: its request goes through to the real network.
    const real = await network();
    const url = `${real.origin}/x`;
    expect(() =>
      expectRequest(
        server,
        http.get(url, () => HttpResponse.text('x')),
        { times: 1.5 },
      ),
    ).toThrow(QuiesceError);
    expect(await (await fetch(url)).text()).toBe('real GET /x');
  });

  test.skipIf(!supported)("an unhandled request msw fails (its 'error' strategy) does not keep the system busy: teardown names it", async () => {
    const api = await load();
    const server = api.setupServer();
    // msw 2 calls it onUnhandledRequest, msw 3 onUnhandledFrame; 'error' fails the request with no request:end.
    server.listen(Object.fromEntries(Object.keys(api.bypass).map((key) => [key, 'error'])) as never);
    onTestFinished(() => server.close());
    const system = createTestSystem({ testId: 'msw-unhandled-error' });
    collectUnhandled(server, { system });
    await expect(fetch('http://api.test/nowhere')).rejects.toThrow();
    await system.quiescence();
    await expect(system.teardown()).rejects.toThrow(UnhandledRequestError);
    expect(system.history.ofKind('http.request').map((e) => [e.data.url, e.data.handled])).toEqual([['http://api.test/nowhere', false]]);
  });

  test.skipIf(!supported)('useHandlers: handlers for one test, taken out at its end; the others keep their places', async () => {
    const api = await load();
    const { http, HttpResponse } = api;
    const { server, initial, before } = withNeighbours(api);
    const system = createTestSystem({ testId: 'msw-use-handlers' });
    const a = http.get('http://api.test/a', () => HttpResponse.text('a'));
    const b = http.post('http://api.test/b', () => HttpResponse.text('b', { status: 201 }));
    expect(useHandlers(server, [a, b], { system })).toEqual([a, b]);
    const after = http.get('http://api.test/after', () => HttpResponse.text('after'));
    server.use(after);
    expect(await (await fetch('http://api.test/a')).text()).toBe('a');
    expect(system.history.ofKind('http.request').map((e) => e.data.url)).toEqual(['http://api.test/a']);

    await system.teardown();
    expect(server.listHandlers()).toEqual([after, before, initial]);
    server.resetHandlers();
    expect(server.listHandlers()).toEqual([initial]);
  });

  test.skipIf(!supported)('useHandlers refuses what is not a list of handlers, naming it, and installs nothing', async () => {
    const { http, HttpResponse, ...rest } = await load();
    const server = listening({ http, HttpResponse, ...rest });
    const ok = http.get('http://api.test/ok', () => HttpResponse.text('ok'));
    expect(() => useHandlers(server, [])).toThrow('useHandlers(handlers): got an array of 0; expected a non-empty array');
    expect(() => useHandlers(server, [ok, 'nope' as never])).toThrow('useHandlers(handlers)[1]: got "nope"');
    expect(() => useHandlers(server, [ok], { sytem: 1 } as never)).toThrow(QuiesceError);
    expect(server.listHandlers()).toEqual([]);
  });

  test.skipIf(!supported)('at the end of its test the handler leaves the server; the other handlers keep their places', async () => {
    const api = await load();
    const { http, HttpResponse } = api;
    const { server, initial, before } = withNeighbours(api);
    const system = createTestSystem({ testId: 'msw-handler-leaves' });
    const expected = http.get('http://api.test/expected', () => HttpResponse.text('expected'));
    expectRequest(server, expected, { system, times: 0 });
    const after = http.get('http://api.test/after', () => HttpResponse.text('after'));
    server.use(after);
    expect(server.listHandlers()).toEqual([after, expected, before, initial]);

    await system.teardown();
    expect(server.listHandlers()).toEqual([after, before, initial]);
    // The initial handlers are still the initial ones: a reset by the test goes back to them.
    server.resetHandlers();
    expect(server.listHandlers()).toEqual([initial]);
    // Put back by hand, it answers nothing any more: the request falls through to the next handler.
    server.use(
      expected,
      http.get('http://api.test/expected', () => HttpResponse.text('fallback')),
    );
    expect(await (await fetch('http://api.test/expected')).text()).toBe('fallback');
  });

  test.skipIf(!supported)('a stale handler of one test never answers the next: two tests of one file (nested run)', async ({ signal }) => {
    const dir = mkdtempSync(join(tmpdir(), 'quiesce-msw-'));
    try {
      const json = join(dir, 'report.json');
      const run = await runVitest(
        `packages/harness/test/msw/fixtures/stale-handler.fixture.ts --config packages/harness/test/prop/fixtures/vitest.config.ts ` +
          `--sequence.shuffle=false --reporter=json --outputFile.json=${json}`,
        cleanEnv({ QUIESCE_MSW_MAJOR: name }),
        signal,
      );
      const report = JSON.parse(readFileSync(json, 'utf8')) as JsonReport;
      const results = report.testResults[0]!.assertionResults;
      expect(
        results.map((r) => r.title),
        run.stdout + run.stderr,
      ).toEqual(['A: expects one POST and gets it', 'B: the same POST with no handler of its own']);
      expect(results[0]!.status).toBe('passed');
      // B got the real server's answer, saw no handler of A's, and its own check names its request.
      expect(results[1]!.failureMessages).toHaveLength(1);
      const unhandled = /^UnhandledRequestError: 1 request\(s\) had no msw handler:\n {2}- POST http:\/\/127\.0\.0\.1:\d+\/pods\n/;
      expect(results[1]!.failureMessages[0]).toMatch(unhandled);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test.skipIf(!supported)('the history carries headers and a bounded copy of the body; the handler still reads the original', async ({ system }) => {
    const { http, HttpResponse, ...rest } = await load();
    const server = listening({ http, HttpResponse, ...rest });
    const real = await network();
    let seenByHandler: unknown;
    expectRequest(
      server,
      http.post('http://api.test/pods', async ({ request }) => {
        seenByHandler = await request.json();
        return HttpResponse.json({ id: 'pod_1' }, { status: 201 });
      }),
      { system },
    );
    const response = await fetch('http://api.test/pods', {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'Bearer s3cret', 'x-trace': 't-1' },
      body: JSON.stringify({ gpu: 'h100' }),
    });
    expect(response.status).toBe(201);
    expect(seenByHandler).toEqual({ gpu: 'h100' });
    const big = 'x'.repeat(MAX_RECORDED_BODY + 10);
    await fetch(`${real.origin}/upload`, { method: 'PUT', body: big });
    await fetch(`${real.origin}/bytes`, { method: 'PUT', body: new Uint8Array([0xff, 0xfe, 0x00]) });

    // msw 3 sees the request as sent (with the client's default headers too): headers compare as a subset.
    const [pods, upload, bytes] = system.history.ofKind('http.request').map((e) => e.data as Record<string, unknown>);
    expect(pods).toEqual({
      method: 'POST',
      url: 'http://api.test/pods',
      headers: expect.objectContaining({ 'content-type': 'application/json', authorization: 'Bearer [redacted]', 'x-trace': 't-1' }),
      body: '{"gpu":"h100"}',
      handled: true,
    });
    expect(JSON.stringify(pods)).not.toContain('s3cret');
    const { body: uploaded, ...uploadRest } = upload!;
    const textPlain = expect.objectContaining({ 'content-type': 'text/plain;charset=UTF-8' });
    expect(uploadRest).toEqual({ method: 'PUT', url: `${real.origin}/upload`, headers: textPlain, bodyTruncated: true, handled: false });
    expect(uploaded === 'x'.repeat(MAX_RECORDED_BODY)).toBe(true);
    expect(bytes).toEqual({ method: 'PUT', url: `${real.origin}/bytes`, headers: anyHeaders, body: '//4A', bodyEncoding: 'base64', handled: false });
    // The history's event comes before the response's.
    const kinds = system.history.events.filter((e) => e.kind.startsWith('http.')).map((e) => `${e.kind} ${(e.data as { url: string }).url}`);
    expect(kinds.slice(0, 2)).toEqual(['http.request http://api.test/pods', 'http.response http://api.test/pods']);
  });
});

describe('msw helper types', () => {
  // msw 3's types are checked by msw3.types.ts, on the Node 24 lane where msw 3 is installed.
  test('servers and handlers of msw 2 fit the helpers', () => {
    expectTypeOf<SetupServer2>().toExtend<MswServerLike>();
    expectTypeOf<HttpHandler2>().toExtend<MswHandlerLike>();
    expectTypeOf<GraphQLHandler2>().toExtend<MswHandlerLike>();
    expectTypeOf<SetupServer2>().not.toExtend<MswHandlerLike>();
  });
});

describe('msw helper options', () => {
  test('fuzz: any expectRequest options either resolve or throw QuiesceError', () => {
    const options = fc.oneof(
      fc.anything(),
      fc.record(
        {
          times: fc.oneof(fc.nat({ max: 5 }), fc.anything()),
          system: fc.anything(),
          onTestFinished: fc.oneof(
            fc.constant(() => undefined),
            fc.anything(),
          ),
        },
        { requiredKeys: [] },
      ),
    );
    fc.assert(
      fc.property(options, (o) => {
        try {
          expect(resolveExpectRequestOptions(o).times).toBeGreaterThanOrEqual(0);
        } catch (error) {
          expect(error).toBeInstanceOf(QuiesceError);
        }
      }),
      { numRuns: 500 },
    );
  });

  test('fuzz: any collectUnhandled options either resolve or throw QuiesceError', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.anything(),
          fc.record({ system: fc.anything(), onTestFinished: fc.anything(), ignore: fc.oneof(fc.anything(), fc.func(fc.boolean())) }, { requiredKeys: [] }),
        ),
        (o) => {
          try {
            const resolved = resolveCollectUnhandledOptions(o);
            expect(resolved.ignore === undefined || typeof resolved.ignore === 'function').toBe(true);
          } catch (error) {
            expect(error).toBeInstanceOf(QuiesceError);
          }
        },
      ),
      { numRuns: 500 },
    );
  });

  test('fuzz: any useHandlers options either resolve or throw QuiesceError', () => {
    fc.assert(
      fc.property(fc.oneof(fc.anything(), fc.record({ system: fc.anything(), onTestFinished: fc.anything() }, { requiredKeys: [] })), (o) => {
        try {
          resolveUseHandlersOptions(o);
        } catch (error) {
          expect(error).toBeInstanceOf(QuiesceError);
        }
      }),
      { numRuns: 500 },
    );
  });
});

describe('msw helpers in a nested vitest run', () => {
  test("a failed check fails its test through Vitest's onTestFinished", async ({ signal }) => {
    const dir = mkdtempSync(join(tmpdir(), 'quiesce-msw-'));
    try {
      const json = join(dir, 'report.json');
      const run = await runVitest(
        `packages/harness/test/msw/fixtures/verify.fixture.ts --config packages/harness/test/prop/fixtures/vitest.config.ts --reporter=json --outputFile.json=${json}`,
        cleanEnv(),
        signal,
      );
      expect(run.code, run.stdout + run.stderr).toBe(1);
      const report = JSON.parse(readFileSync(json, 'utf8')) as {
        testResults: Array<{ assertionResults: Array<{ title: string; status: string; failureMessages: string[] }> }>;
      };
      const results = Object.fromEntries(report.testResults[0]!.assertionResults.map((r) => [r.title, r]));
      expect(results['hit exactly once']?.status).toBe('passed');
      expect(results['hit twice']?.status).toBe('failed');
      expect(results['hit twice']?.failureMessages.join('\n')).toContain(
        'expected GET http://api.test/twice to be requested 1 time(s), but it was requested 2 time(s):\n  - GET http://api.test/twice\n  - GET http://api.test/twice?again=1',
      );
      expect(results['never hit']?.failureMessages.join('\n')).toContain(
        'expected POST http://api.test/never to be requested 1 time(s), but it was requested 0 time(s)',
      );
      expect(results['an unhandled request']?.failureMessages.join('\n')).toContain('1 request(s) had no msw handler:\n  - DELETE http://api.test/nobody-home');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
