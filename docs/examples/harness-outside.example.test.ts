// Runnable examples for docs/harness.md's sections on things outside the runtime: ports, OS
// processes, third-party emitters, msw, propTest and conformance suites. Runs with `npm test`.
import { EventEmitter } from 'node:events';
import { createServer } from 'node:http';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { defineConformance, expect, expectRequest, memoryDuplex, runConformance, test } from '@quiesce/harness';
import { propTest } from '@quiesce/harness/prop';
import { supervisor, worker, type StartFn } from '@quiesce/runtime';
import { describe } from 'vitest';

const kvServer = fileURLToPath(new URL('./fixtures/kv-server.mjs', import.meta.url));

describe('ports', () => {
  test('tier 1: no port at all', async () => {
    const [client, server] = memoryDuplex();
    server.on('data', (chunk: Buffer) => server.write(`echo ${chunk}`));
    client.write('ping');
    const [reply] = (await EventEmitter.once(client, 'data')) as [Buffer];
    expect(String(reply)).toBe('echo ping');
  });

  test('tier 2: bind 0 and hand the server over; it is closed at teardown', async ({ system }) => {
    const port = await system.listen(createServer((_req, res) => res.end('hi')));
    expect(await (await fetch(`http://127.0.0.1:${port}/`)).text()).toBe('hi');
  });

  test('tier 3: the child binds 0 and reports its port', async ({ system }) => {
    const proc = await system.spawn(process.execPath, [kvServer], { ready: /^listening on \d+$/ });
    const port = Number((await proc.awaitLine(/^listening on \d+$/)).split(' ').at(-1));
    await fetch(`http://127.0.0.1:${port}/greeting`, { method: 'PUT', body: 'hello' });
    expect(await (await fetch(`http://127.0.0.1:${port}/greeting`)).text()).toBe('hello');
    await system.awaitHealthy(`http://127.0.0.1:${port}/greeting`, { expectStatus: 200 });
  });

  test('tier 4: a leased number, reserved until teardown', async ({ system }) => {
    const port = await system.port();
    expect(port).toBeGreaterThanOrEqual(10_000);
    expect(system.history.ofKind('port.lease')[0]?.data).toMatchObject({ port, tier: 'lease' });
  });

  test('tier 4: a leased number given back before the test ends', async ({ system }) => {
    const port = await system.port();
    const proc = await system.spawn(process.execPath, [kvServer, String(port)], { ready: new RegExp(`^listening on ${port}$`) });
    proc.kill('SIGTERM');
    await proc.awaitExit();
    await system.releasePort(port); // otherwise held until teardown
    await expect(system).toHaveNoLeaks();
  });
});

test('a third-party emitter observed into the history', async ({ system }) => {
  const pool = new EventEmitter();
  system.observe(pool, { workerCreate: (id: number) => ({ kind: 'pool.workerCreate', data: { id } }) }, { source: 'pool' });
  queueMicrotask(() => pool.emit('workerCreate', 7));
  const event = await system.until('pool.workerCreate');
  expect(event.data).toEqual({ id: 7 });
});

test('msw: a request expected exactly once, verified when the test ends', async ({ system }) => {
  const server = setupServer();
  server.listen({ onUnhandledRequest: 'error' });
  system.own({ kind: 'server', label: 'msw', dispose: () => server.close(), alive: () => false });
  expectRequest(
    server,
    http.post('http://api.test/pods', () => HttpResponse.json({ id: 'p1' })),
    { times: 1, system },
  );
  const res = await fetch('http://api.test/pods', { method: 'POST' });
  expect(await res.json()).toEqual({ id: 'p1' });
});

const crashy: StartFn = (ctx) =>
  ctx.spawn((msg) => {
    if (msg === 'crash') throw new Error('boom');
  });

propTest(
  'any crash sequence within the intensity keeps the pool up',
  [fc.array(fc.constantFrom('w1', 'w2'), { maxLength: 3 })],
  async ({ system }, crashes) => {
    const pool = await system.start(supervisor({ id: 'pool', intensity: 3, children: [worker('w1', crashy), worker('w2', crashy)] }));
    for (const id of crashes) {
      system.kill(pool.child(id)!, 'boom');
      await system.settle();
    }
    expect(pool.isAlive()).toBe(true);
    expect(pool.countChildren().active).toBe(2);
  },
  { numRuns: 20 },
);

interface Counter {
  inc(): Promise<void>;
  value(): Promise<number>;
}

const counterContract = defineConformance<Counter>('counter', (t) => {
  t.test('starts at zero and counts', async ({ impl }) => {
    expect(await impl.value()).toBe(0);
    await impl.inc();
    await impl.inc();
    expect(await impl.value()).toBe(2);
  });
});

runConformance(counterContract, {
  name: 'in memory',
  factory: () => {
    let n = 0;
    return { inc: async () => void n++, value: async () => n };
  },
});

runConformance(counterContract, {
  name: 'a real server process',
  factory: async (system) => {
    const proc = await system.spawn(process.execPath, [kvServer], { ready: /^listening on \d+$/ });
    const base = `http://127.0.0.1:${(await proc.awaitLine(/^listening/)).split(' ').at(-1)}/n`;
    const value = async () => {
      const res = await fetch(base);
      return res.status === 404 ? 0 : Number(await res.text());
    };
    return { value, inc: async () => void (await fetch(base, { method: 'PUT', body: String((await value()) + 1) })) };
  },
});
