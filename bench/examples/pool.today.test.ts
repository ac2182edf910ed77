// The pool's "worker killed mid-request" test written the way teams write it today: a random
// port range, sleeps for "it has received the request" and "it has restarted", vi.waitFor polling.
import { afterEach, expect, test, vi } from 'vitest';
import { Runtime } from '@quiesce/runtime';
import { startPool } from '../../examples/pool/src/index.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const runs = Array.from({ length: Number(process.env.BENCH_RUNS ?? 1) }, (_, i) => i);
let rt: Runtime | undefined;

afterEach(async () => {
  await rt?.shutdown();
});

test.each(runs)('a worker killed mid-request is restarted (sleeps, random ports) #%i', async () => {
  rt = new Runtime();
  const base = 20_000 + Math.floor(Math.random() * 10_000);
  const pool = await startPool(rt, { size: 2, port: (id) => base + Number(id.slice(1)) });
  const [w1] = await pool.pingAll();
  const failed = pool.execute({ op: 'hold' }).then(
    () => 'answered',
    (error: { code?: string }) => error.code,
  );
  await sleep(100); // "the worker has the request by now"
  process.kill(w1!.pid, 'SIGKILL');
  await sleep(1000); // "the supervisor has restarted it by now"
  const [again] = await pool.pingAll();
  expect(again!.pid).not.toBe(w1!.pid);
  expect(await failed).toBe('WORKER_DISCONNECTED');
  await vi.waitFor(() => pool.execute({ op: 'ping' }), { timeout: 2000, interval: 50 });
});
