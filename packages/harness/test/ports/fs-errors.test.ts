import { chmodSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { QuiesceError } from '@quiesce/runtime';
import { createPortAllocator } from '@quiesce/harness';
import { describe, expect, onTestFinished, test } from 'vitest';
import { privateDir } from './support.js';
import { asNobody, isRoot, mountsMissing, publicBuild, startWorker } from './worker-support.js';
// Internal: the message each errno gets, checked without having to provoke every one of them.
import { portFsError } from '../../src/ports/fs-error.js';

/**
 * Every file-system error the broker can meet becomes a PORT_FS_ERROR QuiesceError naming the
 * path, the errno and the way out, met under real conditions: a directory this user may not
 * write, a read-only and a full tmpfs (mounted in a private mount namespace, so nothing outlives
 * the test), and a process without file descriptors.
 */

interface Outcome {
  port?: number;
  error?: { name: string; code: string; message: string; details: Record<string, unknown> };
}
interface Report {
  first: Outcome;
  after?: Outcome;
  files: string[] | string;
}

/** Run the worker (behind `prefix`: setpriv, unshare, ulimit) and read its report. */
async function run(prefix: readonly string[], mode: 'lease' | 'emfile', dir: string): Promise<Report> {
  const build = publicBuild();
  const worker = startWorker([...prefix, process.execPath, build.fixture('fs-error-worker.mjs'), mode, dir]);
  return worker.next<Report>();
}

/** A shell script run in a private mount namespace, then the worker: `$M` is a fresh empty mount point. */
function inMountNamespace(script: string): { prefix: string[]; mountPoint: string } {
  const mountPoint = mkdtempSync(join(tmpdir(), 'quiesce-ports-mnt-'));
  onTestFinished(() => rmSync(mountPoint, { recursive: true, force: true }));
  return { mountPoint, prefix: ['unshare', '--mount', '--propagation', 'private', 'sh', '-c', `set -e; M="${mountPoint}"; ${script}; exec "$0" "$@"`] };
}

function expectFsError(outcome: Outcome, errno: string, path: string, advice: RegExp): void {
  const what = JSON.stringify(outcome);
  expect(outcome.error, what).toMatchObject({ name: 'QuiesceError', code: 'PORT_FS_ERROR', details: { errno } });
  expect(outcome.error!.message, what).toContain(path);
  expect(outcome.error!.message, what).toContain(errno);
  expect(outcome.error!.message, what).toMatch(advice);
}

const noLeaseFiles = (files: string[] | string): string[] => (Array.isArray(files) ? files.filter((f) => f.startsWith('port-') || f.endsWith('.tmp')) : []);

describe('file-system errors become QuiesceErrors', () => {
  test('EACCES: a directory this user may not write', async ({ skip }) => {
    if (!isRoot) {
      // Our own directory, made read-only: the permission check applies to us.
      const dir = privateDir();
      chmodSync(dir, 0o555);
      const error = await createPortAllocator({ dir })
        .lease()
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(QuiesceError);
      expectFsError({ error: error as never }, 'EACCES', dir, /QUIESCE_PORT_DIR/);
      return;
    }
    // Root passes every permission check: the process that is refused runs as nobody, in a
    // directory shared like /tmp (sticky) but writable by its owner only.
    skip('missing' in asNobody, 'missing' in asNobody ? `needs ${asNobody.missing}` : '');
    const parent = mkdtempSync(join(tmpdir(), 'quiesce-ports-eacces-'));
    onTestFinished(() => rmSync(parent, { recursive: true, force: true }));
    chmodSync(parent, 0o755);
    const dir = join(parent, 'ports');
    mkdirSync(dir);
    chmodSync(dir, 0o1755);
    const report = await run('argv' in asNobody ? asNobody.argv : [], 'lease', dir);
    expectFsError(report.first, 'EACCES', dir, /chmod 1777 .*QUIESCE_PORT_DIR/);
    expect(readdirSync(dir)).toEqual([]);
  });

  test.for([
    ['an existing directory', 'mkdir -m 1777 "$M/ports"'],
    ['a directory still to be created', 'true'],
  ])('EROFS: a read-only file system (%s)', async ([, prepare], { skip }) => {
    skip(mountsMissing !== undefined, `needs ${mountsMissing}`);
    const { prefix, mountPoint } = inMountNamespace(`mount -t tmpfs -o size=1m tmpfs "$M"; ${prepare}; mount -o remount,ro "$M"`);
    const dir = join(mountPoint, 'ports');
    const report = await run(prefix, 'lease', dir);
    expectFsError(report.first, 'EROFS', dir, /read-only file system.*QUIESCE_PORT_DIR/);
  });

  test('ENOSPC: a full file system, and no half-written lease or claim is left behind', async ({ skip }) => {
    skip(mountsMissing !== undefined, `needs ${mountsMissing}`);
    // One page of tmpfs, taken by a filler: files can be created but not written.
    const { prefix, mountPoint } = inMountNamespace('mount -t tmpfs -o size=4k tmpfs "$M"; mkdir -m 1777 "$M/ports"; head -c 4096 /dev/zero > "$M/filler"');
    const dir = join(mountPoint, 'ports');
    const report = await run(prefix, 'lease', dir);
    expectFsError(report.first, 'ENOSPC', dir, /full.*QUIESCE_PORT_DIR/);
    expect(report.files).toEqual([]);
  });

  test('EMFILE: no file descriptors left; the same allocator leases again once some are free', async () => {
    // A low limit so that using up every descriptor is quick.
    const report = await run(['sh', '-c', 'ulimit -n 64 && exec "$0" "$@"'], 'emfile', privateDir());
    expectFsError(report.first, 'EMFILE', 'port-', /no file descriptors left.*ulimit -n/);
    expect(report.after?.port, JSON.stringify(report)).toBeTypeOf('number');
    expect(noLeaseFiles(report.files), JSON.stringify(report)).toEqual([]);
  });

  test.each([
    ['EACCES', 'open', /uid \d+\) may not do that in the port lease directory \/d\/ports\. .*\(chmod 1777 \/d\/ports\), or set QUIESCE_PORT_DIR/],
    ['EPERM', 'unlink', /may not do that/],
    ['EROFS', 'open', /read-only file system. Remount it read-write, or set QUIESCE_PORT_DIR/],
    ['ENOSPC', 'write', /is full .*QUIESCE_PORT_DIR/],
    ['EDQUOT', 'write', /over quota/],
    ['EMFILE', 'open', /this process has no file descriptors left \(`ulimit -n`\)/],
    ['ENFILE', 'open', /the system has no file descriptors left/],
    ['EIO', 'open', /i\/o error, open '\/d\/ports\/port-12345'\. Check the port lease directory \/d\/ports/],
  ])('%s gets a PORT_FS_ERROR naming the path and what to do', (errno, syscall, advice) => {
    const path = '/d/ports/port-12345';
    const error = portFsError(Object.assign(new Error(`${errno}: i/o error, ${syscall} '${path}'`), { code: errno, syscall, path }), '/d/ports');
    expect(error).toBeInstanceOf(QuiesceError);
    expect(error).toMatchObject({ code: 'PORT_FS_ERROR', details: { dir: '/d/ports', path, errno, syscall } });
    expect((error as Error).message).toContain(`port lease: ${syscall} ${path} failed with ${errno}: `);
    expect((error as Error).message).toMatch(advice);
  });

  test('what is not an errno error passes through as it is', () => {
    const quiesce = new QuiesceError('PORT_EXHAUSTED', 'x');
    const plain = new TypeError('y');
    expect(portFsError(quiesce, '/d')).toBe(quiesce);
    expect(portFsError(plain, '/d')).toBe(plain);
    expect(portFsError('z', '/d')).toBe('z');
  });
});
