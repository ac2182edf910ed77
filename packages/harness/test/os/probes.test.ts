import { createServer as createHttpServer } from 'node:http';
import { createServer } from 'node:net';
import { networkInterfaces } from 'node:os';
import { describe, expect } from 'vitest';
import { awaitHealthy, awaitListening, ExternalWaitError, test, WaitError, type TestSystem } from '@quiesce/harness';

const hasIpv6Loopback = Object.values(networkInterfaces()).some((addresses) => addresses?.some((a) => a.address === '::1'));

/** A net server owned by the test, for a port that is not listening yet. */
function lateServer(system: TestSystem) {
  const server = createServer((socket) => socket.end());
  server.on('error', (error) => system.record('test.server_error', 'test', { message: error.message }));
  system.own({
    kind: 'server',
    label: 'late net server',
    dispose: () => new Promise<void>((resolve) => (server.listening ? server.close(() => resolve()) : resolve())),
    alive: () => server.listening,
  });
  return server;
}

describe('awaitListening', () => {
  test('probes with backoff until a server starts listening, recording every probe', async ({ system }) => {
    const port = await system.port();
    const server = lateServer(system);
    // The server starts listening only once the first probe has been refused: event-driven, no delay.
    const off = system.history.subscribe((event) => {
      if (event.kind !== 'probe.tcp') return;
      off();
      server.listen(port, '127.0.0.1');
    });
    const began = performance.now();
    const report = await system.awaitListening(port);
    const realElapsed = performance.now() - began;
    const probes = system.history.ofKind('probe.tcp').map((e) => e.data);
    expect(probes[0]).toEqual({ host: '127.0.0.1', port, attempt: 1, ok: false, error: 'ECONNREFUSED' });
    expect(probes.at(-1)).toEqual({ host: '127.0.0.1', port, attempt: report.attempts, ok: true });
    expect(report.attempts).toBeGreaterThanOrEqual(2);
    expect(probes.filter((p) => (p as { ok: boolean }).ok)).toHaveLength(1);
    expect(system.history.ofKind('test.server_error')).toEqual([]);
    // Probing is an external operation: virtual time flowed with real time, never ahead of it.
    expect(system.now()).toBeLessThanOrEqual(realElapsed);
  });

  test('a port nobody listens on times out naming the target, with the last probe error and the probes in the timeline', async ({ system }) => {
    const port = await system.port();
    const error = await system.awaitListening(port, { timeout: 60 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WaitError);
    expect((error as WaitError).failure).toBe('timeout');
    expect((error as WaitError).message).toMatch(new RegExp(`waiting for 127\\.0\\.0\\.1:${port} to accept TCP connections timed out`));
    expect((error as WaitError).message).toMatch(/cause: ECONNREFUSED/);
    expect((error as WaitError).message).toMatch(/probe\.tcp/);
    // The probing stopped with the wait: no probe is recorded after the failure.
    const probes = system.history.ofKind('probe.tcp').length;
    await system.settle();
    expect(system.history.ofKind('probe.tcp')).toHaveLength(probes);
  });

  test('without a system it is a plain bounded wait', async ({ system }) => {
    const port = await system.port();
    const error = await awaitListening(port, { timeout: 20 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ExternalWaitError);
    expect((error as ExternalWaitError).message).toMatch(
      new RegExp(`waiting for 127\\.0\\.0\\.1:${port} to accept TCP connections timed out .*\\n  cause: ECONNREFUSED`),
    );
    expect(system.history.ofKind('probe.tcp')).toEqual([]);
  });

  test.skipIf(!hasIpv6Loopback)('an IPv6 loopback target', async ({ system }) => {
    const server = createServer((socket) => socket.end());
    const port = await system.listen(server, { host: '::1' });
    await expect(system.awaitListening(port, { host: '::1' })).resolves.toEqual({ attempts: 1 });
    expect(system.history.ofKind('probe.tcp')[0]?.source).toBe(`[::1]:${port}`);
  });
});

describe('awaitHealthy', () => {
  test('probes until the endpoint answers 2xx, recording every probe', async ({ system }) => {
    // 503 until a probe has been recorded, 200 after: the answer switches on the history, not on time.
    const server = createHttpServer((_req, res) => {
      res.statusCode = system.history.ofKind('probe.http').length === 0 ? 503 : 200;
      res.end('ok');
    });
    const port = await system.listen(server);
    const url = `http://127.0.0.1:${port}/health`;
    await expect(system.awaitHealthy(url)).resolves.toEqual({ status: 200, attempts: 2 });
    expect(system.history.ofKind('probe.http').map((e) => e.data)).toEqual([
      { url, attempt: 1, ok: false, error: 'status 503' },
      { url, attempt: 2, ok: true, status: 200 },
    ]);
  });

  test('expectStatus picks what counts as healthy', async ({ system }) => {
    const server = createHttpServer((_req, res) => {
      res.statusCode = 204;
      res.end();
    });
    const port = await system.listen(server);
    await expect(system.awaitHealthy(new URL(`http://127.0.0.1:${port}/`), { expectStatus: [204, 200] })).resolves.toEqual({ status: 204, attempts: 1 });
    const error = await system.awaitHealthy(`http://127.0.0.1:${port}/`, { expectStatus: 200, timeout: 60 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WaitError);
    expect((error as WaitError).message).toMatch(/waiting for GET http:\/\/127\.0\.0\.1:\d+\/ to answer with status 200 timed out/);
    expect((error as WaitError).message).toMatch(/cause: status 204/);
  });

  test('a refused connection is a failed probe, and the timeout names the URL (no system)', async ({ system }) => {
    const port = await system.port();
    const error = await awaitHealthy(`http://127.0.0.1:${port}/ready`, { timeout: 30 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ExternalWaitError);
    expect((error as ExternalWaitError).message).toMatch(
      new RegExp(`waiting for GET http://127\\.0\\.0\\.1:${port}/ready to answer with a 2xx status timed out.*\\n  cause: ECONNREFUSED`),
    );
  });
});
