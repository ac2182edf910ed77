import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chaos, type Fault } from '@quiesce/chaos';
import type { TestSystem, TrackedProcess } from '@quiesce/harness';

/** Why the Redis-backed tests cannot run here, and how to get the part; undefined when they can. */
export const REDIS_MISSING: string | undefined =
  spawnSync('redis-server', ['--version'], { stdio: 'ignore' }).status === 0 ? undefined : 'needs redis-server: apt-get install redis-server';
if (REDIS_MISSING && process.env.CI) throw new Error(`the service example's integration tests need redis-server in CI (${REDIS_MISSING})`);

/** The one place a backend is started, stopped and broken: a redis-server process or a container. */
export interface RedisBackend {
  readonly port: number;
  /** SIGSTOP / pause: connections stay open, nothing answers. */
  pause(): Promise<void>;
  resume(): Promise<void>;
  /** SIGKILL: gone at once, without a clean shutdown. */
  kill(): Promise<void>;
  /** Start again on the same port and data directory; resolves once it accepts connections. */
  restart(): Promise<void>;
}

/**
 * A real redis-server for one test, as an OS process the test's system owns: on a leased port,
 * appending every write to its AOF with fsync before answering (`appendfsync always`), so an
 * acknowledged write survives a SIGKILL. Stopped, and its directory removed, at teardown.
 */
export async function redisProcess(system: TestSystem): Promise<RedisBackend & { proc(): TrackedProcess }> {
  const port = await system.port();
  const dir = mkdtempSync(join(tmpdir(), 'quiesce-redis-'));
  system.own({ kind: 'directory', label: `redis data ${dir}`, dispose: () => rmSync(dir, { recursive: true, force: true }), alive: () => existsSync(dir) });
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'yes', '--appendfsync', 'always', '--dir', dir];
  const start = () => system.spawn('redis-server', args, { ready: /Ready to accept connections/, label: `redis-server :${port}` });
  let proc = await start();
  let paused: Fault | undefined;
  // Faults through @quiesce/chaos: each lands in the test's history (fault.arm, fault.heal, ...).
  const faults = chaos(system).os;
  return {
    port,
    proc: () => proc,
    async pause() {
      paused = faults.pause(proc);
    },
    async resume() {
      paused?.heal();
      paused = undefined;
    },
    async kill() {
      faults.kill(proc);
      await proc.awaitExit();
    },
    async restart() {
      proc = await start();
    },
  };
}
