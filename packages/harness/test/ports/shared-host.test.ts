import { lstatSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createPortAllocator, test } from '@quiesce/harness';
import { describe, expect } from 'vitest';
import { reservedPorts } from './support.js';
import { asNobody, publicBuild, sharedParent, startWorker, type Worker } from './worker-support.js';

/**
 * One lease directory, two Unix users: root and `nobody`, leasing at the same time, each unable
 * to delete, rewrite or take over the other's live leases. Needs root (to start `nobody`'s
 * processes); skipped otherwise, naming what is missing.
 */

const NOBODY_UID = 65_534;
const skipReason = 'missing' in asNobody ? `needs ${asNobody.missing}` : undefined;

interface LeaseReport {
  ports: number[];
  paths: string[];
  bindFailures: unknown[];
  errors: unknown[];
}
interface OnlyReport {
  port?: number;
  reclaimed?: boolean;
  error?: { code: string; message: string };
}
interface TamperReport {
  results: Array<{ path: string; op: string; outcome: string }>;
}

function setup() {
  const build = publicBuild();
  const dir = join(sharedParent(), 'ports');
  const prefix = (user: 'root' | 'nobody'): string[] => (user === 'nobody' && 'argv' in asNobody ? asNobody.argv : []);
  const start = (user: 'root' | 'nobody', runId: string, poolId = 1): Worker =>
    startWorker([...prefix(user), process.execPath, build.fixture('shared-worker.mjs'), dir, runId, String(poolId)]);
  return { dir, start };
}

/** What a file is now: its inode, owner, mode, content and mtime. Unchanged means untouched. */
function snapshot(paths: readonly string[]): string[] {
  return paths.map((path) => {
    const stat = lstatSync(path);
    return `${path} ino=${stat.ino} uid=${stat.uid} mode=${(stat.mode & 0o7777).toString(8)} mtime=${stat.mtimeMs} ${readFileSync(path, 'utf8').trim()}`;
  });
}

describe('a lease directory shared by root and nobody', () => {
  test("both lease concurrently from one directory: 0 collisions, 0 errors, and neither can delete or rewrite the other's leases", async ({ skip }) => {
    skip(skipReason !== undefined, skipReason);
    const { dir, start } = setup();
    const workers = [start('root', 'root-run', 1), start('root', 'root-run', 2), start('nobody', 'nobody-run', 1), start('nobody', 'nobody-run', 2)];
    for (const w of workers) w.send({ lease: 100 });
    const reports = await Promise.all(workers.map((w) => w.next<LeaseReport>()));

    expect(reports.flatMap((r) => r.errors)).toEqual([]);
    expect(reports.flatMap((r) => r.bindFailures)).toEqual([]);
    const all = reports.flatMap((r) => r.ports);
    expect(all).toHaveLength(400);
    expect(all.filter((port, i) => all.indexOf(port) !== i)).toEqual([]);

    // Shared like /tmp: sticky and world-writable, owned by root (created by it, or taken over from nobody).
    const dirStat = lstatSync(dir);
    expect({ mode: (dirStat.mode & 0o7777).toString(8), uid: dirStat.uid }).toEqual({ mode: '1777', uid: 0 });
    const rootPaths = [...reports[0]!.paths, ...reports[1]!.paths];
    const nobodyPaths = [...reports[2]!.paths, ...reports[3]!.paths];
    for (const [paths, uid] of [
      [rootPaths, 0],
      [nobodyPaths, NOBODY_UID],
    ] as const) {
      // 0644 less the umask: never writable by group or others.
      for (const path of paths) expect({ path, uid: lstatSync(path).uid, mode: lstatSync(path).mode & 0o622 }).toEqual({ path, uid, mode: 0o600 });
    }
    const before = snapshot([...rootPaths, ...nobodyPaths]);

    // nobody cannot delete, rewrite, replace, rename, chmod or touch root's leases.
    workers[2]!.send({ tamper: rootPaths.slice(0, 10) });
    const { results } = await workers[2]!.next<TamperReport>();
    expect(results).toHaveLength(80);
    expect(results.filter((r) => !['EPERM', 'EACCES', 'EEXIST'].includes(r.outcome))).toEqual([]);

    // Neither user's allocator takes a number the other holds: not root's (which could delete
    // anything), not nobody's.
    const rootPorts = [...reports[0]!.ports, ...reports[1]!.ports];
    const nobodyPorts = [...reports[2]!.ports, ...reports[3]!.ports];
    await expect(createPortAllocator({ dir, runId: 'root-run-2', ports: nobodyPorts }).lease()).rejects.toMatchObject({ code: 'PORT_EXHAUSTED' });
    workers[0]!.send({ only: nobodyPorts });
    workers[2]!.send({ only: rootPorts });
    const [rootTries, nobodyTries] = await Promise.all([workers[0]!.next<OnlyReport>(), workers[2]!.next<OnlyReport>()]);
    expect(rootTries.error?.code).toBe('PORT_EXHAUSTED');
    expect(nobodyTries.error?.code).toBe('PORT_EXHAUSTED');
    expect(snapshot([...rootPaths, ...nobodyPaths])).toEqual(before);

    // Each releases its own.
    for (const w of workers) w.send({ release: true });
    expect(await Promise.all(workers.map((w) => w.next<{ released: number }>()))).toEqual(Array(4).fill({ released: 100 }));
    expect(readdirSync(dir).filter((f) => f.startsWith('port-'))).toEqual([]);
  });

  test("a stale lease is reclaimed only by who may delete it: nobody skips root's, takes another; root reclaims nobody's", async ({ system, skip }) => {
    skip(skipReason !== undefined, skipReason);
    const { dir, start } = setup();
    const [free] = await reservedPorts(system, 1); // a number no other test leases
    const rootWorker = start('root', 'root-crashed');
    const nobodyWorker = start('nobody', 'nobody-crashed');
    rootWorker.send({ lease: 3 });
    nobodyWorker.send({ lease: 3 });
    const [rootLeases, nobodyLeases] = await Promise.all([rootWorker.next<LeaseReport>(), nobodyWorker.next<LeaseReport>()]);
    // Both die without releasing: their leases stay behind, owned by dead processes.
    rootWorker.send({ crash: true });
    nobodyWorker.send({ crash: true });
    await Promise.all([rootWorker.exited, nobodyWorker.exited]);
    const rootStale = snapshot(rootLeases.paths);

    const nobody = start('nobody', 'nobody-later');
    nobody.send({ only: rootLeases.ports });
    expect(await nobody.next<OnlyReport>()).toMatchObject({ error: { code: 'PORT_EXHAUSTED' } });
    nobody.send({ only: [...rootLeases.ports, free] });
    expect(await nobody.next<OnlyReport>()).toEqual({ port: free, reclaimed: false });
    expect(snapshot(rootLeases.paths)).toEqual(rootStale); // skipped, untouched

    // Root may delete anyone's file, and does so only because the owner is provably gone.
    const reclaimed = await createPortAllocator({ dir, runId: 'root-later', ports: nobodyLeases.ports }).lease();
    expect(reclaimed.reclaimed).toBe(true);
    expect(lstatSync(reclaimed.path).uid).toBe(0);
    await reclaimed.release();
  });

  test('root takes over a shared directory that nobody created, and nobody keeps leasing from it', async ({ system, skip }) => {
    skip(skipReason !== undefined, skipReason);
    const { dir, start } = setup();
    const [port] = await reservedPorts(system, 1);
    const nobody = start('nobody', 'nobody-first');
    nobody.send({ only: [port] });
    expect(await nobody.next<OnlyReport>()).toEqual({ port, reclaimed: false });
    const created = lstatSync(dir);
    expect({ mode: (created.mode & 0o7777).toString(8), uid: created.uid }).toEqual({ mode: '1777', uid: NOBODY_UID });

    await createPortAllocator({ dir, runId: 'root-second' }).layout();
    const adopted = lstatSync(dir);
    expect({ mode: (adopted.mode & 0o7777).toString(8), uid: adopted.uid, ino: adopted.ino }).toEqual({ mode: '1777', uid: 0, ino: created.ino });
    nobody.send({ only: [port] });
    expect(await nobody.next<OnlyReport>()).toEqual({ port, reclaimed: false });
  });
});
