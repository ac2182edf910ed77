import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { onTestFinished } from 'vitest';
import type { TestSystem } from '@quiesce/harness';

/** A lock directory of this test's own, removed when the test finishes. */
export function privateDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'quiesce-ports-test-'));
  onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** The pid of a process that has exited (and been reaped: Node waits for it before 'exit'). */
export async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', ''], { stdio: 'ignore' });
  const pid = child.pid!;
  await once(child, 'exit');
  return pid;
}

/**
 * `n` port numbers reserved host-wide for this test (leased through the system from the shared
 * lock directory), ascending: numbers no other leasing process will touch, for tests that point a
 * private allocator at exact numbers.
 */
export async function reservedPorts(system: TestSystem, n: number): Promise<number[]> {
  const ports: number[] = [];
  for (let i = 0; i < n; i++) ports.push(await system.port());
  return ports.sort((a, b) => a - b);
}

/** Listen on 127.0.0.1:port (a foreign process occupying it, as far as an allocator knows); closed when the test finishes. */
export async function occupy(port: number): Promise<Server> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ port, host: '127.0.0.1' }, resolve);
  });
  onTestFinished(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return server;
}
