import { existsSync, readdirSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { QuiesceError } from '@quiesce/runtime';
import { createPortAllocator, test } from '@quiesce/harness';
import { processStartTime, readEphemeralRange } from '@quiesce/harness/internal';
import { describe, expect } from 'vitest';
import { deadPid, occupy, privateDir, reservedPorts } from './support.js';
// Internal: to hold the reclaim lock the way a concurrent reclaimer in another process would.
import { withReclaimLock } from '../../src/ports/reclaim-lock.js';

const leaseFile = (dir: string, port: number): string => join(dir, `port-${port}`);
const readLease = (path: string): Record<string, unknown> => JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;

describe('port leases (tier 4)', () => {
  test('leases are unique within and across allocators sharing a directory, and outside the ephemeral range', async () => {
    const dir = privateDir();
    const a = createPortAllocator({ dir });
    const b = createPortAllocator({ dir });
    // Concurrent lease() calls on each allocator, interleaved across the two.
    const leases = await Promise.all(Array.from({ length: 120 }, (_, i) => (i % 2 === 0 ? a : b).lease()));
    const ports = leases.map((l) => l.port);
    expect(new Set(ports).size).toBe(120);
    const ephemeral = readEphemeralRange();
    for (const port of ports) {
      expect(port).toBeGreaterThanOrEqual(10_000);
      expect(port <= 32_767 && (port < ephemeral.min || port > ephemeral.max)).toBe(true);
      expect(existsSync(leaseFile(dir, port))).toBe(true);
    }
    expect(readLease(leases[0]!.path)).toMatchObject({ pid: process.pid, start: processStartTime(process.pid) });
    await Promise.all(leases.map((l) => l.release()));
    expect(readdirSync(dir).filter((f) => f.startsWith('port-'))).toEqual([]);
    expect(leases.every((l) => l.released)).toBe(true);
  });

  test('a number stays reserved until released, then can be leased again', async ({ system }) => {
    const [port] = await reservedPorts(system, 1);
    const dir = privateDir();
    const first = await createPortAllocator({ dir, ports: [port!] }).lease();
    const other = createPortAllocator({ dir, ports: [port!] });
    await expect(other.lease()).rejects.toMatchObject({ code: 'PORT_EXHAUSTED' });
    await first.release();
    await first.release(); // idempotent
    const second = await other.lease();
    expect(second.port).toBe(port);
    expect(second.reclaimed).toBe(false);
    await second.release();
  });

  test('a lease whose owner is dead is reclaimed', async ({ system }) => {
    const [port] = await reservedPorts(system, 1);
    const dir = privateDir();
    const pid = await deadPid();
    writeFileSync(leaseFile(dir, port!), JSON.stringify({ pid, start: 1 }));
    const lease = await createPortAllocator({ dir, ports: [port!] }).lease();
    expect(lease.port).toBe(port);
    expect(lease.reclaimed).toBe(true);
    expect(readLease(lease.path)).toMatchObject({ pid: process.pid });
    await lease.release();
  });

  test('a lease whose pid was reused (same pid, another start time) is reclaimed; its live owner keeps it', async ({ system }) => {
    const [port] = await reservedPorts(system, 1);
    const dir = privateDir();
    const start = processStartTime(process.pid);
    expect(start).toBeTypeOf('number'); // Linux: /proc/<pid>/stat is readable
    // This very process is alive: with its real start time the lease is live and must be kept.
    writeFileSync(leaseFile(dir, port!), JSON.stringify({ pid: process.pid, start }));
    await expect(createPortAllocator({ dir, ports: [port!] }).lease()).rejects.toMatchObject({ code: 'PORT_EXHAUSTED' });
    // The same pid with another start time is another process that used to have this pid.
    writeFileSync(leaseFile(dir, port!), JSON.stringify({ pid: process.pid, start: start! + 1 }));
    const lease = await createPortAllocator({ dir, ports: [port!] }).lease();
    expect(lease.reclaimed).toBe(true);
    await lease.release();
  });

  test('a lease written during another boot is reclaimed', async ({ system }) => {
    const [port] = await reservedPorts(system, 1);
    const dir = privateDir();
    writeFileSync(leaseFile(dir, port!), JSON.stringify({ pid: process.pid, start: processStartTime(process.pid), boot: 'another-boot' }));
    const lease = await createPortAllocator({ dir, ports: [port!] }).lease();
    expect(lease.reclaimed).toBe(true);
    await lease.release();
  });

  test('an empty lease file is left alone while young and reclaimed once orphaned', async ({ system }) => {
    const [port] = await reservedPorts(system, 1);
    const dir = privateDir();
    const path = leaseFile(dir, port!);
    writeFileSync(path, ''); // a writer between open('wx') and its write
    await expect(createPortAllocator({ dir, ports: [port!] }).lease()).rejects.toMatchObject({ code: 'PORT_EXHAUSTED' });
    const aMinuteAgo = new Date(Date.now() - 60_000);
    utimesSync(path, aMinuteAgo, aMinuteAgo); // its writer died before writing
    const lease = await createPortAllocator({ dir, ports: [port!] }).lease();
    expect(lease.reclaimed).toBe(true);
    await lease.release();
  });

  test('of many concurrent reclaimers of one stale lease, exactly one gets it', async ({ system }) => {
    const [port] = await reservedPorts(system, 1);
    const dir = privateDir();
    writeFileSync(leaseFile(dir, port!), JSON.stringify({ pid: await deadPid(), start: 1 }));
    const outcomes = await Promise.allSettled(Array.from({ length: 12 }, () => createPortAllocator({ dir, ports: [port!] }).lease()));
    const won = outcomes.filter((o) => o.status === 'fulfilled');
    expect(won).toHaveLength(1);
    for (const lost of outcomes.filter((o) => o.status === 'rejected')) expect(lost.reason).toMatchObject({ code: 'PORT_EXHAUSTED' });
    await won[0]!.value.release();
  });

  test('a stale lease that another process is reclaiming right now (it holds the reclaim lock) is left to it', async ({ system }) => {
    const [port] = await reservedPorts(system, 1);
    const dir = privateDir();
    writeFileSync(leaseFile(dir, port!), JSON.stringify({ pid: await deadPid(), start: 1 }));
    const whileHeld = await withReclaimLock(dir, `port-${port}`, () =>
      createPortAllocator({ dir, ports: [port!] })
        .lease()
        .catch((e: unknown) => e),
    );
    expect(whileHeld).toMatchObject({ held: true, value: { code: 'PORT_EXHAUSTED' } });
    const lease = await createPortAllocator({ dir, ports: [port!] }).lease(); // lock released: reclaimable
    expect(lease.reclaimed).toBe(true);
    await lease.release();
  });

  test('a leased number found in use (EADDRINUSE) is given back and a fresh one leased', async ({ system }) => {
    const [taken, free] = await reservedPorts(system, 2);
    await occupy(taken!); // someone outside the lock directory listens there
    const dir = privateDir();
    // One block, two slices: pool 0's slice (tried first) is the lower number, the one in use.
    const allocator = createPortAllocator({ dir, ports: [taken!, free!], runBlocks: 1, poolSlices: 2, poolId: 0 });
    expect((await allocator.layout()).slice).toEqual({ min: taken, max: taken });
    const lease = await allocator.lease();
    expect(lease.port).toBe(free);
    expect(lease.attempts).toBe(2);
    expect(existsSync(leaseFile(dir, taken!))).toBe(false); // the failed lease was given back
    await lease.release();
  });

  test('bind-check failures are bounded by maxAttempts', async ({ system }) => {
    const [port] = await reservedPorts(system, 1);
    await occupy(port!);
    const error = await createPortAllocator({ dir: privateDir(), ports: [port!], maxAttempts: 1 })
      .lease()
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(QuiesceError);
    expect((error as QuiesceError).code).toBe('PORT_EXHAUSTED');
    expect((error as QuiesceError).message).toMatch(/failed their bind check on 127\.0\.0\.1 .*EADDRINUSE/);
  });

  test('release never deletes a lease file that is not its own', async () => {
    const dir = privateDir();
    const lease = await createPortAllocator({ dir }).lease();
    writeFileSync(lease.path, JSON.stringify({ pid: 1, start: 1 }));
    await lease.release();
    expect(existsSync(lease.path)).toBe(true);
  });
});

describe('run blocks and pool slices', () => {
  test('two runs get disjoint blocks; processes of one run share its block; pools get disjoint slices', async () => {
    const dir = privateDir();
    const runA1 = await createPortAllocator({ dir, runId: 'run-a', poolId: 1 }).layout();
    const runA2 = await createPortAllocator({ dir, runId: 'run-a', poolId: 2 }).layout();
    const runB1 = await createPortAllocator({ dir, runId: 'run-b', poolId: 1 }).layout();
    expect(runA1.runBlock).toBe(runA2.runBlock);
    expect(runB1.runBlock).not.toBe(runA1.runBlock);
    expect(runA1.sharedBlock || runB1.sharedBlock).toBe(false);
    const disjoint = (x: { min: number; max: number }, y: { min: number; max: number }): boolean => x.max < y.min || y.max < x.min;
    expect(disjoint(runA1.block, runB1.block)).toBe(true);
    expect(disjoint(runA1.slice, runA2.slice)).toBe(true);
    const lease = await createPortAllocator({ dir, runId: 'run-b', poolId: 1 }).lease();
    expect(lease.port).toBeGreaterThanOrEqual(runB1.slice.min);
    expect(lease.port).toBeLessThanOrEqual(runB1.slice.max);
    await lease.release();
  });

  test("a run's block claimed by a run whose main process is dead is reclaimed; a live run's is not", async () => {
    const dir = privateDir();
    const { runBlock } = await createPortAllocator({ dir: privateDir(), runId: 'run-x' }).layout();
    writeFileSync(join(dir, `run-${runBlock}`), JSON.stringify({ pid: process.pid, start: processStartTime(process.pid), run: 'live-run' }));
    expect((await createPortAllocator({ dir, runId: 'run-x' }).layout()).runBlock).not.toBe(runBlock);

    const dir2 = privateDir();
    writeFileSync(join(dir2, `run-${runBlock}`), JSON.stringify({ pid: await deadPid(), start: 1, run: 'dead-run' }));
    expect((await createPortAllocator({ dir: dir2, runId: 'run-x' }).layout()).runBlock).toBe(runBlock);
    expect(JSON.parse(readFileSync(join(dir2, `run-${runBlock}`), 'utf8'))).toMatchObject({ run: 'run-x' });
  });

  test('with every block held by live runs, a run shares its block and still gets exclusive numbers', async () => {
    const dir = privateDir();
    const start = processStartTime(process.pid);
    for (let b = 0; b < 2; b++) writeFileSync(join(dir, `run-${b}`), JSON.stringify({ pid: process.pid, start, run: `other-${b}` }));
    const allocator = createPortAllocator({ dir, runId: 'late', runBlocks: 2 });
    expect((await allocator.layout()).sharedBlock).toBe(true);
    const leases = await Promise.all([allocator.lease(), allocator.lease()]);
    expect(leases[0]!.port).not.toBe(leases[1]!.port);
    await Promise.all(leases.map((l) => l.release()));
  });
});
