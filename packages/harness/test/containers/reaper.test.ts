import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';
import { test, type TestSystem } from '@quiesce/harness';
import { containerEngine } from '../../src/containers/engine.js';
import { watchEngineEvents } from '../../src/containers/events.js';
import { realNow } from '@quiesce/runtime/internal';

const fixtureDir = fileURLToPath(new URL('./fixtures/reaper/', import.meta.url));
const vitestBin = join(dirname(createRequire(import.meta.url).resolve('vitest/package.json')), 'vitest.mjs');

/** Whether the engine reports container `id` destroyed within a bound (replayed if it already was, since `since`). */
async function destroyed(system: TestSystem, id: string, since: number): Promise<boolean> {
  const { dockerode } = (await containerEngine()).client.container;
  let settle = (): void => undefined;
  let done = false;
  let stream: { destroy(): void } | undefined;
  const gone = new Promise<void>((resolve) => {
    settle = resolve;
    void watchEngineEvents(dockerode, id, since, (event) => event.action === 'destroy' && resolve()).then((s) => {
      if (done) s.destroy();
      else stream = s;
    });
  });
  try {
    await system.drive(system.runtime.external(gone), { what: `container ${id.slice(0, 12)} to be destroyed`, timeout: 30_000 });
    return true;
  } catch {
    return false;
  } finally {
    // An external operation must end: a survivor's wait is settled here, or teardown would wait for it.
    done = true;
    settle();
    stream?.destroy();
  }
}

/** A nested Vitest whose worker starts two containers and SIGKILLs itself; resolves with their ids. */
async function killedWorkerRun(system: TestSystem, trial: number): Promise<string[]> {
  const dir = mkdtempSync(join(tmpdir(), 'quiesce-container-reaper-'));
  system.own({ kind: 'directory', label: dir, dispose: () => rmSync(dir, { recursive: true, force: true }), alive: () => false });
  const report = join(dir, 'ids');
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env)) {
    // A clean nested run: not a worker of ours, no loaders.
    if (value !== undefined && !key.startsWith('VITEST') && key !== 'NODE_OPTIONS') env[key] = value;
  }
  env.QUIESCE_CONTAINER_REPORT = report;
  env.NO_COLOR = '1';
  const args = [vitestBin, 'run', '--config', join(fixtureDir, 'vitest.config.ts')];
  const vitest = await system.spawn(process.execPath, args, { cwd: fixtureDir, env, label: `nested-vitest-${trial}` });
  const exit = await vitest.awaitExit({ timeout: 120_000 });
  // The run failed because its worker died, not because a test assertion failed.
  expect(exit.code, vitest.lines.join('\n')).toBe(1);
  return readFileSync(report, 'utf8').split('\n').filter(Boolean);
}

const name = 'the containers of a Vitest worker killed with SIGKILL are removed by the reaper: 0 survivors over repeated trials';
test(name, { tags: ['docker'], timeout: 300_000 }, async ({ system }) => {
  const trials = 3;
  const survivors: string[] = [];
  const engine = await containerEngine();
  for (let trial = 1; trial <= trials; trial++) {
    const since = Math.floor((performance.timeOrigin + realNow()) / 1000) - 5;
    const ids = await killedWorkerRun(system, trial);
    // Both ran: the victim wrote their ids once they had started.
    expect(ids).toHaveLength(2);
    try {
      for (const id of ids) {
        // Nothing of ours removes them: the engine destroys them only if the reaper asked it to.
        if (!(await destroyed(system, id, since))) survivors.push(id);
      }
      const listed = await engine.client.container.dockerode.listContainers({ all: true, filters: { id: ids } });
      for (const c of listed) if (!survivors.includes(c.Id)) survivors.push(c.Id);
    } finally {
      // If the reaper failed, do not leave its containers behind this test either.
      await Promise.all(
        survivors.map((id) =>
          engine.client.container
            .getById(id)
            .remove({ force: true })
            .catch(() => undefined),
        ),
      );
    }
  }
  expect(survivors).toEqual([]);
});
