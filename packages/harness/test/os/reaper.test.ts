import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer, type Socket } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect } from 'vitest';
import { awaitLine, test, type TestSystem } from '@quiesce/harness';
import type { HistoryEvent } from '@quiesce/runtime';
import { awaitGroupGone, ProcessGroupReaper } from '@quiesce/runtime/internal';

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

/** A loopback server the long runners report to; a connection closing is its long runner's death. */
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
  system.own({
    kind: 'observer',
    label: 'long-runner report server',
    dispose: () => {
      for (const s of sockets) s.destroy();
    },
    alive: () => false,
    external: () => server.listening,
  });
  return port;
}

/**
 * Wait until long runner `pid` (the leader of its own group) has ended. Its connection closes
 * while the kernel tears the process down, a moment before it becomes a zombie: there is no
 * event for that last step, so this probes with bounded backoff, each probe in the history.
 */
async function awaitEnded(system: TestSystem, pid: number): Promise<boolean> {
  const state = await awaitGroupGone(pid, 10_000, (attempt, now) => system.record('test.probe_ended', 'test', { pid, attempt, state: now }));
  return state !== 'alive';
}

/** Run the nested Vitest whose worker SIGKILLs itself; resolves with the pids of the long runners it started. */
async function killedWorkerRun(system: TestSystem, trial: number): Promise<number[]> {
  const port = await reportServer(system);
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env)) {
    // A clean nested run: not a worker of ours, no loaders.
    if (value !== undefined && !key.startsWith('VITEST') && key !== 'NODE_OPTIONS') env[key] = value;
  }
  env.QUIESCE_REAPER_TEST_PORT = String(port);
  env.NO_COLOR = '1';
  const mark = system.mark();
  const vitest = await system.spawn(node, [vitestBin, 'run', '--config', join(fixtureDir, 'vitest.config.ts')], {
    cwd: fixtureDir,
    env,
    label: `nested-vitest-${trial}`,
  });
  // Two long runners report: the one from system.spawn and the supervised osProcess child.
  const first = await system.until('test.runner_connected', { since: mark, timeout: 120_000 });
  const second = await system.until((e: HistoryEvent) => e.kind === 'test.runner_connected' && e.seq > first.seq, { since: mark, timeout: 120_000 });
  const runners = [first, second].map((e) => (e.data as { pid: number }).pid);
  // No check that the runners are still alive here: the victim SIGKILLs its worker right after they
  // are ready, so on a loaded machine the reaper may already have ended them. That they connected
  // and reported their pids is the proof they ran.
  const exit = await vitest.awaitExit({ timeout: 120_000 });
  // The run failed because its worker died, not because a test assertion failed.
  expect(exit.code, vitest.lines.join('\n')).toBe(1);
  return runners;
}

describe('the reaper when a Vitest worker is killed', () => {
  test('real vitest runs whose worker SIGKILLs itself mid-test leave no OS child behind, spawned or supervised', { timeout: 300_000 }, async ({ system }) => {
    const trials = 3;
    const survivors: number[] = [];
    for (let trial = 1; trial <= trials; trial++) {
      const runners = await killedWorkerRun(system, trial);
      try {
        for (const pid of runners) {
          // Nothing of ours kills a long runner: its connection closes only if the reaper did.
          await system.until((e: HistoryEvent) => e.kind === 'test.runner_gone' && (e.data as { pid: number }).pid === pid, {
            since: 'start',
            timeout: 30_000,
          });
          if (!(await awaitEnded(system, pid))) survivors.push(pid);
        }
      } finally {
        // If the reaper failed, do not leave the long runners behind this test either.
        for (const pid of runners) if (!processEnded(pid)) process.kill(pid, 'SIGKILL');
      }
    }
    expect(survivors).toEqual([]);
  });
});
