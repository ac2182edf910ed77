import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer, type Socket } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect } from 'vitest';
import { awaitLine, ProcessGroupReaper, test, type TestSystem } from '@quiesce/harness';

const child = fileURLToPath(new URL('../fixtures/os-child.mjs', import.meta.url));
const fixtureDir = fileURLToPath(new URL('../fixtures/reaper/', import.meta.url));
const vitestBin = join(dirname(createRequire(import.meta.url).resolve('vitest/package.json')), 'vitest.mjs');
const node = process.execPath;

/**
 * True when process `pid` has ended: it no longer exists, or it is a zombie (dead, waiting for
 * init to reap it; an orphan's zombie can linger for seconds under some inits).
 */
function processEnded(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ESRCH';
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z');
  } catch {
    return true; // reaped between the two checks
  }
}

describe('ProcessGroupReaper', () => {
  test('when its pipe closes it SIGKILLs the registered groups, spares unregistered ones, and exits', async ({ system }) => {
    const reaper = new ProcessGroupReaper();
    const doomed = await system.spawn(node, [child, 'ready'], { ready: /^ready$/ });
    const spared = await system.spawn(node, [child, 'echo'], { ready: /^ready$/, stdin: 'pipe' });
    reaper.register(doomed.pid);
    reaper.register(spared.pid);
    reaper.unregister(spared.pid);
    expect(reaper.groups).toEqual([doomed.pid]);
    const reaperPid = reaper.pid!;
    expect(reaperPid).toBeGreaterThan(1);

    await reaper.close(); // resolves once the reaper has exited
    await expect(doomed.awaitExit()).resolves.toEqual({ code: null, signal: 'SIGKILL' });
    expect(processEnded(reaperPid)).toBe(true);
    // A SIGKILL sent before the reaper exited would have ended it before it could answer.
    const echoed = spared.awaitLine(/^echo: still here$/, { since: 'now' });
    spared.stdin!.write('still here\n');
    await expect(echoed).resolves.toBe('echo: still here');
  });

  test('never signals groups 0 or 1', async ({ system }) => {
    const reaper = new ProcessGroupReaper();
    reaper.register(1);
    reaper.register(0);
    reaper.register(-5);
    expect(reaper.groups).toEqual([]);
    expect(reaper.pid).toBeUndefined(); // nothing registered: no reaper started
    await reaper.close();
    expect(system.leftovers()).toEqual([]);
  });
});

/** A loopback server the long runner reports to; its connection closing is the long runner's death. */
async function reportServer(system: TestSystem): Promise<number> {
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => undefined);
    void awaitLine(socket, /^pid \d+$/, { timeout: 60_000 }).then(
      (line) => {
        const pid = Number(line.split(' ')[1]);
        system.record('test.runner_connected', 'test', { pid });
        socket.once('close', () => system.record('test.runner_gone', 'test', { pid }));
        socket.resume();
      },
      () => undefined,
    );
  });
  const port = await system.listen(server);
  // While it listens, the server is a source of real-time events: waits wait for it.
  system.own({ kind: 'observer', label: 'long-runner report server', dispose: () => sockets.forEach((s) => s.destroy()), alive: () => false, external: () => server.listening });
  return port;
}

describe('the reaper when a Vitest worker is killed', () => {
  test('a real vitest run whose worker SIGKILLs itself mid-test leaves no OS child behind', { timeout: 180_000 }, async ({ system }) => {
    const port = await reportServer(system);
    const env: Record<string, string> = {};
    for (const [key, value] of Object.entries(process.env)) {
      // A clean nested run: not a worker of ours, no loaders.
      if (value !== undefined && !key.startsWith('VITEST') && key !== 'NODE_OPTIONS') env[key] = value;
    }
    env.QUIESCE_REAPER_TEST_PORT = String(port);
    env.NO_COLOR = '1';
    const vitest = await system.spawn(node, [vitestBin, 'run', '--config', join(fixtureDir, 'vitest.config.ts')], { cwd: fixtureDir, env, label: 'nested-vitest' });

    const connected = await system.until('test.runner_connected', { since: 'start', timeout: 120_000 });
    const runner = (connected.data as { pid: number }).pid;
    try {
      // No check that the runner is still alive here: the victim SIGKILLs its worker right after the
      // runner is ready, so on a loaded machine the reaper may already have ended it. That it
      // connected and reported its pid is the proof it ran.
      const exit = await vitest.awaitExit({ timeout: 120_000 });
      // The run failed because its worker died, not because a test assertion failed.
      expect(exit.code, vitest.lines.join('\n')).toBe(1);
      // Nothing of ours kills the long runner: its connection closes only if the reaper did.
      await system.until('test.runner_gone', { since: 'start', timeout: 30_000 });
      expect(processEnded(runner)).toBe(true);
    } finally {
      // If the reaper failed, do not leave the long runner behind this test either.
      if (!processEnded(runner)) process.kill(runner, 'SIGKILL');
    }
  });
});
