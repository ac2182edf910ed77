import { connect, createServer } from 'node:net';
import { describe, expect } from 'vitest';
import { createTestSystem, test, type TestSystem } from '@quiesce/harness';
import { chaos, FAULT_KINDS } from '@quiesce/chaos';
import { realNow } from '@quiesce/runtime/internal';

/** An echo server the test owns, on 127.0.0.1:0. */
async function echoServer(system: TestSystem): Promise<number> {
  return system.listen(createServer((socket) => socket.pipe(socket)));
}

/** Connect, send `payload`, half-close, and collect what comes back until the connection ends. */
function roundTrip(port: number, payload: Buffer | string): Promise<{ data: Buffer; chunks: number }> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port });
    const chunks: Buffer[] = [];
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('error', reject);
    socket.on('end', () => resolve({ data: Buffer.concat(chunks), chunks: chunks.length }));
    socket.end(payload);
  });
}

/** The error code a connection ends with, or 'end' for a clean end. */
function outcome(port: number, payload: string): Promise<string> {
  return roundTrip(port, payload).then(
    () => 'end',
    (error: NodeJS.ErrnoException) => error.code ?? String(error),
  );
}

describe('the TCP fault proxy', () => {
  test('with no toxic it is transparent: a megabyte both ways, byte for byte', async ({ system }) => {
    const proxy = await chaos(system).tcpProxy({ upstream: await echoServer(system) });
    const payload = Buffer.alloc(1 << 20, 7);
    for (let i = 0; i < payload.length; i += 997) payload[i] = i % 251;
    const { data } = await roundTrip(proxy.port, payload);
    expect(data.equals(payload)).toBe(true);
  });

  test('latency: each chunk is held at least the latency, in order', async ({ system }) => {
    const proxy = await chaos(system).tcpProxy({ upstream: await echoServer(system) });
    proxy.toxic('latency', { latency: 60, jitter: 20 });
    const start = realNow();
    const { data } = await roundTrip(proxy.port, 'hello');
    expect(data.toString()).toBe('hello');
    expect(realNow() - start).toBeGreaterThanOrEqual(60); // a lower bound the proxy guarantees, not a speed claim
  });

  test('slicer and bandwidth pass the data intact', async ({ system }) => {
    const proxy = await chaos(system).tcpProxy({ upstream: await echoServer(system) });
    proxy.toxic('slicer', { averageSize: 7, sizeVariation: 3, delay: 100, direction: 'upstream' });
    proxy.toxic('bandwidth', { rate: 512 });
    const payload = `${'x'.repeat(2000)}end`;
    expect((await roundTrip(proxy.port, payload)).data.toString()).toBe(payload);
  });

  test('limit_data: the connection closes once the limit has passed', async ({ system }) => {
    const proxy = await chaos(system).tcpProxy({ upstream: await echoServer(system) });
    proxy.toxic('limit_data', { bytes: 10 });
    const { data } = await roundTrip(proxy.port, 'abcdefghijklmnopqrstuvwxyz');
    expect(data.toString()).toBe('abcdefghij');
    await system.until({ kind: FAULT_KINDS.tcp, data: { action: 'limit_data' } }, { since: 'start' });
  });

  test('timeout: nothing passes, then the connection is closed; removing the toxic lets new connections through', async ({ system }) => {
    const proxy = await chaos(system).tcpProxy({ upstream: await echoServer(system) });
    const timeout = proxy.toxic('timeout', { timeout: 50, direction: 'upstream' });
    const result = await roundTrip(proxy.port, 'lost').catch(() => ({ data: Buffer.alloc(0) }));
    expect(result.data.length).toBe(0);
    await system.until({ kind: FAULT_KINDS.tcp, data: { action: 'timeout' } }, { since: 'start' });
    timeout.heal();
    expect((await roundTrip(proxy.port, 'found')).data.toString()).toBe('found');
  });

  test('slow_close: the end of stream arrives late', async ({ system }) => {
    const proxy = await chaos(system).tcpProxy({ upstream: await echoServer(system) });
    proxy.toxic('slow_close', { delay: 80 });
    const start = realNow();
    await roundTrip(proxy.port, 'bye');
    expect(realNow() - start).toBeGreaterThanOrEqual(80);
  });

  test('down refuses connections and closes open ones; up brings it back on the same port', async ({ system }) => {
    const proxy = await chaos(system).tcpProxy({ upstream: await echoServer(system) });
    const port = proxy.port;
    const open = connect({ host: '127.0.0.1', port }).on('error', () => undefined);
    await new Promise((resolve) => open.once('connect', resolve));
    const closed = new Promise((resolve) => open.once('close', resolve));
    await proxy.down();
    await closed;
    expect(await outcome(port, 'x')).toBe('ECONNREFUSED');
    await proxy.up();
    expect(proxy.port).toBe(port);
    expect((await roundTrip(port, 'back')).data.toString()).toBe('back');
    expect(system.history.ofKind(FAULT_KINDS.tcp).map((e) => e.data.action)).toEqual(['down', 'up']);
  });

  test('planted bug: a client with no retry on a reset fails; the fixed client retries and gets its answer', async ({ system }) => {
    const proxy = await chaos(system).tcpProxy({ upstream: await echoServer(system) });
    proxy.toxic('reset_peer', { timeout: 0, count: 1 });
    const noRetry = (payload: string) => roundTrip(proxy.port, payload);
    const withRetry = async (payload: string) => {
      for (let attempt = 1; ; attempt++) {
        try {
          return await roundTrip(proxy.port, payload);
        } catch (error) {
          if ((error as NodeJS.ErrnoException).code !== 'ECONNRESET' || attempt === 3) throw error;
        }
      }
    };
    await expect(noRetry('ping')).rejects.toMatchObject({ code: 'ECONNRESET' });
    proxy.toxic('reset_peer', { timeout: 0, count: 1 });
    expect((await withRetry('ping')).data.toString()).toBe('ping');
    expect(system.history.ofKind(FAULT_KINDS.tcp).filter((e) => e.data.action === 'reset_peer')).toHaveLength(2);
  });

  test('toxicity: which connections a toxic takes is drawn from the seed, the same for the same seed', async () => {
    const run = async (seed: number) => {
      const system = createTestSystem({ testId: 'toxicity', seed });
      const proxy = await chaos(system).tcpProxy({ upstream: await echoServer(system), label: 'db' });
      proxy.toxic('reset_peer', { toxicity: 0.5 });
      let pattern = '';
      for (let i = 0; i < 16; i++) pattern += (await outcome(proxy.port, 'x')) === 'end' ? '.' : 'x';
      const events = system.history.ofKind(FAULT_KINDS.tcp).map((e) => e.data as { action: string; connection: number });
      const taken = events.filter((d) => d.action === 'toxic').map((d) => d.connection);
      await system.teardown();
      return { pattern, taken };
    };
    const a = await run(9);
    expect(await run(9)).toEqual(a);
    expect(a.taken.length).toBeGreaterThan(2);
    expect(a.taken.length).toBeLessThan(14);
    expect(a.pattern.split('').filter((c) => c === 'x').length).toBe(a.taken.length);
  });

  test('teardown closes the proxy; an upstream off loopback is refused', async () => {
    const system = createTestSystem({ testId: 'proxy teardown' });
    const c = chaos(system);
    await expect(c.tcpProxy({ upstream: { host: 'example.com', port: 80 } })).rejects.toThrow(/loopback host/);
    const proxy = await c.tcpProxy({ upstream: await echoServer(system) });
    await system.teardown();
    expect(proxy.alive()).toBe(false);
    expect(await outcome(proxy.port, 'x')).toBe('ECONNREFUSED');
  });
});
