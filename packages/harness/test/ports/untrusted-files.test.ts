import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, symlinkSync, truncateSync, utimesSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import fc from 'fast-check';
import { createPortAllocator, test, type PortLease } from '@quiesce/harness';
import { processStartTime } from '@quiesce/harness/internal';
import { describe, expect, onTestFinished, vi } from 'vitest';
import { deadPid, privateDir, reservedPorts } from './support.js';
// Internal: the parser every lease and run claim goes through, fuzzed directly.
import { MAX_PID, parseRecord } from '../../src/ports/lock-file.js';

/**
 * Lease and run-claim files are written by other processes, possibly of other users: whatever is
 * in them, the allocator neither crashes nor signals (or trusts) a process it cannot identify.
 */

const KEYS = new Set(['pid', 'start', 'boot', 'run', 'pool']);

/** Values a hostile or broken writer might put in a field. */
const hostileNumber = fc.oneof(
  fc.integer(),
  fc.double(),
  fc.constantFrom(0, -1, 1, -0, 2 ** 31, 2 ** 53, -(2 ** 31), MAX_PID, MAX_PID + 1, Number.MAX_SAFE_INTEGER),
  fc.bigInt().map(String),
);
const hostileField = fc.oneof(
  hostileNumber,
  fc.string(),
  fc.constant(null),
  fc.boolean(),
  fc.array(fc.integer(), { maxLength: 3 }),
  fc.object({ maxDepth: 1 }),
  fc.string({ minLength: 60, maxLength: 300 }),
);
const hostileRecord = fc.record({ pid: hostileField, start: hostileField, boot: hostileField, run: hostileField, pool: hostileField }, { requiredKeys: [] });

/** Text a lock file might contain: JSON records with hostile fields, any JSON, any text, cut short or padded. */
const hostileText = fc.oneof(
  hostileRecord.map((r) => JSON.stringify(r)),
  fc.json(),
  fc.string({ maxLength: 200 }),
  fc
    .tuple(
      hostileRecord.map((r) => JSON.stringify(r)),
      fc.nat(),
    )
    .map(([text, cut]) => text.slice(0, cut % (text.length + 1))),
  fc.string({ maxLength: 20 }).map((s) => `{"pid":1}${s}`),
  fc.string({ maxLength: 20 }).map((s) => `{"pid":${process.pid},"run":"${s}"}`),
  fc.constant(`{"pid":1,"run":"${'x'.repeat(5000)}"}`),
);

describe('lock files are untrusted input', () => {
  test('parseRecord never throws, and only returns a record with a usable pid and well-typed fields', () => {
    fc.assert(
      fc.property(hostileText, (text) => {
        const record = parseRecord(text);
        if (record === undefined) return;
        expect(Number.isInteger(record.pid) && record.pid > 0 && record.pid <= MAX_PID).toBe(true);
        for (const key of Object.keys(record)) expect(KEYS.has(key)).toBe(true);
        if (record.start !== undefined) expect(Number.isSafeInteger(record.start) && record.start >= 0).toBe(true);
        if (record.boot !== undefined) expect(typeof record.boot === 'string' && record.boot.length <= 64).toBe(true);
        if (record.run !== undefined) expect(typeof record.run === 'string' && record.run.length <= 200).toBe(true);
        if (record.pool !== undefined) expect(Number.isSafeInteger(record.pool) && record.pool >= 0).toBe(true);
      }),
      { numRuns: 2000 },
    );
  });

  test('whatever a lease file holds, lease() grants a number or says PORT_EXHAUSTED, and signals no process', async ({ system }) => {
    const [port] = await reservedPorts(system, 1);
    const dead = await deadPid();
    const start = processStartTime(process.pid);
    const kill = vi.spyOn(process, 'kill');
    onTestFinished(() => kill.mockRestore());
    const content = fc.oneof(
      hostileText,
      fc.constantFrom(
        JSON.stringify({ pid: dead, start: 1 }), // a dead owner: reclaimable
        JSON.stringify({ pid: process.pid, start }), // a live owner: kept
        JSON.stringify({ pid: 1 }), // a live process it cannot tell apart from the owner: kept
      ),
      fc.uint8Array({ maxLength: 9000 }).map((bytes) => Buffer.from(bytes)),
    );
    await fc.assert(
      fc.asyncProperty(content, fc.boolean(), async (text, old) => {
        const dir = privateDir();
        const path = join(dir, `port-${port}`);
        writeFileSync(path, text);
        if (old) utimesSync(path, new Date(0), new Date(0)); // past the grace period for unreadable content
        const outcome = await createPortAllocator({ dir, ports: [port!] })
          .lease()
          .then(
            (lease) => lease.release(),
            (error: unknown) => {
              expect(error).toMatchObject({ code: 'PORT_EXHAUSTED' });
            },
          );
        expect(outcome).toBeUndefined();
      }),
      { numRuns: 150 },
    );
    // Only ever a probe (signal 0) of a pid that addresses one process.
    for (const [pid, signal] of kill.mock.calls) expect({ pid: Number.isInteger(pid) && pid > 0 && pid <= MAX_PID, signal }).toEqual({ pid: true, signal: 0 });
  });

  test('a symlink, a FIFO, a directory, a socket or a huge file as a lease never blocks, crashes, or is written through', async ({ system }) => {
    const ports = await reservedPorts(system, 7);
    const dir = privateDir();
    const at = (i: number): string => join(dir, `port-${ports[i]}`);
    const outside = join(privateDir(), 'victim');
    writeFileSync(outside, JSON.stringify({ pid: await deadPid(), start: 1 })); // a reclaimable-looking record behind the link
    symlinkSync(outside, at(0));
    expect(spawnSync('mkfifo', [at(1)]).status).toBe(0); // opening it for reading without O_NONBLOCK would block for ever
    mkdirSync(at(2));
    symlinkSync('/dev/zero', at(3));
    const socket = createServer();
    await new Promise<void>((resolve) => socket.listen(at(4), resolve));
    onTestFinished(() => new Promise<void>((resolve) => socket.close(() => resolve())));
    writeFileSync(at(5), '');
    truncateSync(at(5), 2 ** 30); // 1 GiB (sparse), left long ago: not a record, and reclaimable
    utimesSync(at(5), new Date(0), new Date(0));
    // ports[6] is free.
    const allocator = createPortAllocator({ dir, ports });
    const granted: PortLease[] = [];
    for (let i = 0; i <= ports.length; i++) {
      const lease = await allocator.lease().catch((e: unknown) => e);
      if (lease instanceof Error) {
        expect(lease).toMatchObject({ code: 'PORT_EXHAUSTED' });
        break;
      }
      granted.push(lease as PortLease);
    }
    await Promise.all(granted.map((l) => l.release()));
    expect(granted.map((l) => l.port).sort()).toEqual([ports[5], ports[6]].sort());
    expect(readdirSync(dirname(outside))).toEqual(['victim']); // the link's target was neither replaced nor deleted
    expect(readFileSync(outside, 'utf8')).toMatch(/^\{"pid":\d+,"start":1\}$/);
  });
});
