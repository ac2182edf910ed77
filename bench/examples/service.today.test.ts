// The same test written the way teams write it today: a random port, redis-server started with
// child_process and given "enough" time to come up, sleeps around the pause, cleanup in finally.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { createHttpServer, RespClient, SessionService } from '../../examples/service/src/index.js';

const runs = Array.from({ length: Number(process.env.BENCH_RUNS ?? 1) }, (_, i) => i + 1);

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

test.for(runs)('Redis paused: a clear 503, then served again; the acknowledged write is kept (run %i)', async () => {
  const port = 20000 + Math.floor(Math.random() * 10000);
  const dir = mkdtempSync(join(tmpdir(), 'bench-redis-'));
  let redis: ChildProcess | undefined;
  const client = new RespClient({ port, commandTimeout: 1000 });
  const server = createHttpServer(new SessionService(client));
  try {
    redis = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'yes', '--dir', dir], { stdio: 'ignore' });
    await sleep(300); // wait for Redis to start
    await new Promise<void>((resolve) => server.listen(port + 1, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${port + 1}`;
    const call = async (method: string, path: string, body?: unknown) => {
      const response = await fetch(`${url}${path}`, { method, ...(body ? { body: JSON.stringify(body) } : {}) });
      return { status: response.status, body: (await response.json().catch(() => undefined)) as any };
    };
    const { id } = (await call('POST', '/sessions')).body;
    await call('POST', `/sessions/${id}/exec`, { code: 'acked = 1' });

    process.kill(redis.pid!, 'SIGSTOP');
    await sleep(50);
    expect((await call('POST', `/sessions/${id}/exec`, { code: 'other = 2' })).status).toBe(503);
    process.kill(redis.pid!, 'SIGCONT');
    await sleep(100); // let Redis catch up

    const after = await call('GET', `/sessions/${id}/state`);
    expect(after.status).toBe(200);
    expect(after.body.vars.acked).toBe(1);
  } finally {
    client.close();
    server.close();
    server.closeAllConnections();
    if (redis?.pid) process.kill(redis.pid, 'SIGCONT');
    redis?.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  }
});
