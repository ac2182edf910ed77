import { Runtime } from '@quiesce/runtime';
import { describe, expect, test } from 'vitest';
import { createTestSystem } from '@quiesce/harness';
import { awaitActorsGone } from '@quiesce/harness/internal';

// Teardown waits (bounded) for the runtime's own OS children to go before it disposes owned
// resources. A child the test owns (system.spawn, system.container) is ended by that dispose, so
// the wait must not wait for it: it would always run to its bound, seconds per test.
describe('teardown and the actors owned resources hold', () => {
  test('awaitActorsGone does not wait for the actors it is told are owned', async () => {
    const rt = new Runtime({ clock: 'virtual' });
    const release = rt.holdExternal('OS process owned');
    // With no exception this would wait its whole (here: an hour's) bound; it resolves at once.
    await awaitActorsGone(rt, 3_600_000, new Set(['OS process owned']));
    expect(rt.externalActors()).toEqual(['OS process owned']);
    release();
    await rt.shutdown();
  });

  test('awaitActorsGone still waits for the others, until they go', async () => {
    const rt = new Runtime({ clock: 'virtual' });
    const releaseOwned = rt.holdExternal('OS process owned');
    const release = rt.holdExternal('OS process supervised');
    const gone = awaitActorsGone(rt, 3_600_000, new Set(['OS process owned']));
    let done = false;
    void gone.then(() => (done = true));
    await Promise.resolve();
    expect(done).toBe(false);
    release();
    await gone;
    releaseOwned();
    await rt.shutdown();
  });

  test('a system.spawn child names the actor it holds, so teardown can leave it to its dispose', async () => {
    const system = createTestSystem({ testId: 'owned-actors' });
    const proc = await system.spawn(process.execPath, ['-e', 'console.log("ready"); setInterval(() => {}, 1000)'], { ready: /^ready$/ });
    expect(system.runtime.externalActors()).toEqual([proc.actor]);
    await system.teardown();
    expect(proc.exitStatus).toEqual({ code: null, signal: 'SIGTERM' });
    expect(system.runtime.externalActors()).toEqual([]);
  });
});
