import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { describe, expect, onTestFinished, test } from 'vitest';
import { privateDir } from './support.js';
import { assertFreshBuild } from './worker-support.js';

const here = dirname(fileURLToPath(import.meta.url));
const fixture = join(here, 'fixtures/lease-worker.mjs');

interface Report {
  pid: number;
  runId: string;
  runBlock: number;
  block: { min: number; max: number };
  ports: number[];
  attempts: number;
  bindFailures: Array<{ port: number; code: string }>;
}

interface Worker {
  child: ChildProcess;
  report: Promise<Report>;
  exited: Promise<number | null>;
}

function startWorker(dir: string, runId: string, poolId: number, count: number): Worker {
  const child = spawn(process.execPath, [fixture], {
    env: { ...process.env, PORT_DIR: dir, QUIESCE_RUN_ID: runId, POOL_ID: String(poolId), COUNT: String(count) },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  onTestFinished(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = once(child, 'exit').then(([code]) => code as number | null);
  const lines = createInterface({ input: child.stdout! });
  const report = new Promise<Report>((resolve, reject) => {
    lines.once('line', (line) => resolve(JSON.parse(line) as Report));
    void exited.then((code) => reject(new Error(`worker ${runId}/${poolId} exited (${code}) before reporting:\n${stderr}`)));
  });
  return { child, report, exited };
}

describe('cross-process leasing', () => {
  test('8 processes of 2 concurrent runs lease and bind 200 ports each: no duplicate, no bind failure', async () => {
    assertFreshBuild();
    const dir = privateDir();
    const count = 200;
    // Pool ids repeat within a run (1, 2, 1, 2): pairs of processes share a slice and really contend.
    const workers = ['run-a', 'run-b'].flatMap((runId) => [1, 2, 1, 2].map((poolId) => ({ runId, worker: startWorker(dir, runId, poolId, count) })));
    const reports = await Promise.all(workers.map((w) => w.worker.report));

    // Every process still holds every lease and server here.
    const all = reports.flatMap((r) => r.ports);
    expect(all).toHaveLength(8 * count);
    const duplicates = all.filter((port, i) => all.indexOf(port) !== i);
    expect(duplicates).toEqual([]);
    expect(reports.flatMap((r) => r.bindFailures)).toEqual([]);

    // The two runs leased from two different blocks; the processes of one run from the same one.
    const blocks = (runId: string) => new Set(reports.filter((r) => r.runId === runId).map((r) => r.runBlock));
    expect(blocks('run-a').size).toBe(1);
    expect(blocks('run-b').size).toBe(1);
    expect([...blocks('run-a')][0]).not.toBe([...blocks('run-b')][0]);
    const leases = readdirSync(dir).filter((f) => f.startsWith('port-'));
    expect(leases).toHaveLength(8 * count);

    for (const { worker } of workers) worker.child.stdin!.end();
    const codes = await Promise.all(workers.map((w) => w.worker.exited));
    expect(codes).toEqual(Array(8).fill(0));
    expect(readdirSync(dir).filter((f) => f.startsWith('port-'))).toEqual([]);
  });
});
