import diagnostics from 'node:diagnostics_channel';
import { describe, expect, test, type TestContext } from 'vitest';
import { CHANNEL_PREFIX, LIFECYCLE_KINDS, channelName, startSupervisor, supervisor, type LifecycleMessage, type Runtime } from '@quiesce/runtime';
import { RUNTIME_MARK, isRuntimeMessage } from '@quiesce/runtime/internal';
import { child, vrt } from './support/helpers.js';

/**
 * Collect messages published on `kind`'s channel by runtime `rt` only (other runtimes may publish
 * too); the subscription ends with the test `t`, or earlier through `off()`.
 */
function listen(t: TestContext, kind: string, rt: Runtime): { seen: LifecycleMessage[]; off(): void } {
  const seen: LifecycleMessage[] = [];
  const fn = (message: unknown) => {
    if ((message as LifecycleMessage)[RUNTIME_MARK] === rt.node) seen.push(message as LifecycleMessage);
  };
  diagnostics.subscribe(channelName(kind), fn);
  let subscribed = true;
  const off = () => {
    if (subscribed) diagnostics.unsubscribe(channelName(kind), fn);
    subscribed = false;
  };
  // The test context's hook: the global one cannot tell concurrent tests apart.
  t.onTestFinished(off);
  return { seen, off };
}

describe('diagnostics channels', () => {
  test('channel names are the prefix plus the kind', () => {
    expect(CHANNEL_PREFIX).toBe('quiesce:');
    expect(channelName('process.spawn')).toBe('quiesce:process.spawn');
    for (const kind of [
      'process.spawn',
      'process.exit',
      'supervisor.start',
      'supervisor.shutdown',
      'supervisor.intensity',
      'child.start',
      'child.restart',
      'child.terminate',
      'child.exit',
    ]) {
      expect(LIFECYCLE_KINDS).toContain(kind);
    }
  });

  test('LIFECYCLE_KINDS: the lifecycle kinds of the event map, in order (what bridgeDiagnostics records by default)', () => {
    expect(LIFECYCLE_KINDS).toEqual([
      ...['process.spawn', 'process.exit', 'supervisor.start', 'supervisor.shutdown', 'supervisor.intensity'],
      ...['child.start', 'child.ignore', 'child.start_failed', 'child.exit', 'child.restart', 'child.terminate'],
      ...['os.spawn', 'os.ready', 'os.exit', 'os.stdout', 'thread.spawn', 'thread.ready', 'thread.exit'],
    ]);
    expect(LIFECYCLE_KINDS.map((kind) => channelName(kind))).toContain('quiesce:child.restart');
  });

  test('lifecycle events are published as the history records them: kind, source, time and data, no seq', async (t) => {
    const rt = vrt();
    const { seen: spawns } = listen(t, 'process.spawn', rt);
    const { seen: restarts } = listen(t, 'child.restart', rt);
    const sup = await startSupervisor(rt, supervisor({ id: 'root', children: [child('w')] }));
    await rt.advance(250);
    rt.send(sup.child('w')!, { crash: 'boom' });
    await rt.idle();
    const recorded = rt.history.ofKind('process.spawn').map(({ kind, source, time, data }) => ({ kind, source, time, data }));
    expect(spawns).toEqual(recorded);
    expect(spawns.map((m) => m.source)).toEqual(['root', 'root/w', 'root/w']);
    expect(restarts).toEqual([{ kind: 'child.restart', source: 'root', time: 250, data: { id: 'w', pid: String(sup.child('w')) } }]);
    expect(Object.keys(restarts[0]!)).toEqual(['kind', 'source', 'time', 'data']);
    expect(isRuntimeMessage(restarts[0])).toBe(true);
  });

  test('a third-party message is not a runtime message', () => {
    expect(isRuntimeMessage({ kind: 'child.start', source: 'x', time: 0, data: {} })).toBe(false);
    expect(isRuntimeMessage(null)).toBe(false);
    expect(isRuntimeMessage('child.start')).toBe(false);
  });

  test('events of kinds nobody listens to are not published, and unsubscribed listeners hear nothing', async (t) => {
    const rt = vrt();
    const { seen: exits, off } = listen(t, 'process.exit', rt);
    off();
    const p = rt.spawn(() => undefined);
    rt.exit(p, 'kill');
    await rt.idle();
    expect(exits).toEqual([]);
    expect(rt.history.ofKind('process.exit')).toHaveLength(1);
  });

  test('a custom kind recorded by the runtime goes to its own channel', (t) => {
    const rt = vrt();
    const { seen: custom } = listen(t, 'custom.thing', rt);
    rt.record('custom.thing', 'me', { n: 1 });
    expect(custom).toEqual([{ kind: 'custom.thing', source: 'me', time: 0, data: { n: 1 } }]);
  });
});
