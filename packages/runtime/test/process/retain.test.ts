// A runtime that runs for a long time in production keeps a bounded part of what is over:
// `retain.events` bounds its history, `retain.exited` the exited processes it remembers. A test's
// runtime keeps everything (the default), and nothing changes for it.
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, test } from 'vitest';
import { History, Runtime, startSupervisor, supervisor, worker, type ExitMessage, type Pid } from '@quiesce/runtime';

/** A full collection: `gc` from a context made after turning the flag on (Vitest runs without --expose-gc). */
function collect(): void {
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  gc();
  gc();
}

/** Spawn `n` processes one after another, each exiting with its own reason object; weak references to those reasons. */
async function exitMany(rt: Runtime, n: number): Promise<{ pids: Pid[]; reasons: WeakRef<object>[] }> {
  const pids: Pid[] = [];
  const reasons: WeakRef<object>[] = [];
  for (let i = 0; i < n; i++) {
    const reason = { incarnation: i, table: new Array<number>(256).fill(i) };
    const pid = rt.spawn(() => undefined);
    rt.exit(pid, reason);
    pids.push(pid);
    reasons.push(new WeakRef(reason));
  }
  await rt.idle();
  return { pids, reasons };
}

describe('retain.exited', () => {
  test('the last `exited` exited processes keep their exit reason; older ones are forgotten, and their reasons freed', async () => {
    const rt = new Runtime({ clock: 'virtual', retain: { exited: 5 } });
    const { pids, reasons } = await exitMany(rt, 100);
    collect();
    const remembered = pids.filter((pid) => rt.exitReason(pid) !== undefined).length;
    // At least the last five, at most twice that (forgotten in batches).
    expect(remembered).toBeGreaterThanOrEqual(5);
    expect(remembered).toBeLessThan(10);
    for (const pid of pids.slice(-5)) expect(rt.exitReason(pid)).toMatchObject({ incarnation: pids.indexOf(pid) });
    expect(rt.exitReason(pids[0]!)).toBeUndefined();
    expect(rt.label(pids[0]!)).toBe(pids[0]!.toString());
    expect(reasons.filter((r) => r.deref() !== undefined).length).toBe(remembered);
  });

  test('the default keeps every exited process (the control)', async () => {
    const rt = new Runtime({ clock: 'virtual' });
    const { pids, reasons } = await exitMany(rt, 100);
    collect();
    expect(pids.every((pid) => rt.exitReason(pid) !== undefined)).toBe(true);
    expect(reasons.every((r) => r.deref() !== undefined)).toBe(true);
  });

  test('a forgotten pid reads as an unknown one: a monitor gets noproc, a trapped link an EXIT with noproc, a send is dropped', async () => {
    const rt = new Runtime({ clock: 'virtual', retain: { exited: 1 } });
    const { pids } = await exitMany(rt, 4);
    const forgotten = pids[0]!;
    expect(rt.exitReason(forgotten)).toBeUndefined();
    const seen: unknown[] = [];
    const watcher = rt.spawn((message) => void seen.push(message), { trapExit: true });
    const ref = rt.monitor(watcher, forgotten);
    rt.link(watcher, forgotten);
    rt.send(forgotten, 'lost');
    await rt.idle();
    expect(seen).toEqual([
      { type: 'DOWN', ref, pid: forgotten, reason: 'noproc' },
      { type: 'EXIT', from: forgotten, reason: 'noproc' } satisfies Partial<ExitMessage>,
    ]);
  });

  test('a crash-looping supervised child keeps the table bounded and restarts as before', async () => {
    const rt = new Runtime({ clock: 'virtual', retain: { exited: 10 } });
    const crashes: WeakRef<object>[] = [];
    const tree = await startSupervisor(
      rt,
      supervisor({
        id: 'root',
        intensity: 1_000,
        period: 1,
        children: [
          worker('w', (ctx) =>
            ctx.spawn((message, self) => {
              if (message !== 'crash') return;
              const reason = { crash: new Array<number>(256).fill(1) };
              crashes.push(new WeakRef(reason));
              self.exit(reason);
            }),
          ),
        ],
      }),
    );
    for (let i = 0; i < 200; i++) {
      rt.send(tree.child('w')!, 'crash');
      await rt.idle();
    }
    collect();
    expect(rt.history.ofKind('child.restart')).toHaveLength(200);
    expect(crashes.filter((r) => r.deref() !== undefined).length).toBeLessThan(20);
  });
});

describe('retain.events', () => {
  test('a bounded history keeps the last events and goes on counting', () => {
    let now = 0;
    const history = new History(
      () => now,
      () => 1000 + now,
      undefined,
      { keep: 5 },
    );
    for (let i = 0; i < 23; i++) {
      now = i;
      history.append('test.tick', 'clock', { i });
    }
    expect(history.length).toBe(23);
    const kept = history.events;
    expect(kept.length).toBeGreaterThanOrEqual(5);
    expect(kept.length).toBeLessThan(10);
    expect(history.firstSeq).toBe(kept[0]!.seq);
    expect(kept.map((e) => e.seq)).toEqual(Array.from({ length: kept.length }, (_, i) => 23 - kept.length + i));
    expect(kept.at(-1)).toMatchObject({ seq: 22, data: { i: 22 } });
    expect(history.tail(2).map((e) => e.seq)).toEqual([21, 22]);
    expect(history.find((e) => (e.data as { i: number }).i >= 0, 0)?.seq).toBe(history.firstSeq);
    expect(history.find((e) => (e.data as { i: number }).i === 21, 20)?.seq).toBe(21);
    expect(history.wallTime(0)).toBeUndefined();
    expect(history.wallTime(22)).toBe(1022);
    // Real time still counts from the first event ever recorded.
    expect(history.realElapsed(22)).toBe(22);
    expect(
      history
        .toJSONLines()
        .split('\n')
        .map((line) => JSON.parse(line).seq),
    ).toEqual(kept.map((e) => e.seq));
  });

  test('a runtime with retain.events: an hour of timer steps keeps a bounded history', async () => {
    const rt = new Runtime({ clock: 'virtual', recordMessages: true, retain: { events: 50 } });
    rt.spawn((_message, ctx) => void ctx.sendAfter(1000, 'tick'), { init: (ctx) => void ctx.sendAfter(1000, 'tick') });
    await rt.advance(3_600_000);
    expect(rt.history.length).toBeGreaterThan(3_600);
    expect(rt.history.events.length).toBeLessThan(100);
    expect(rt.history.events.at(-1)?.kind).toBe('clock.advance');
  });

  test('bad input names the option, the value and what is accepted; nothing is started', () => {
    expect(() => new Runtime({ retain: { events: 0 } })).toThrow(/retain\.events: got 0; expected an integer >= 1 \(how many history events to keep\)/);
    expect(() => new Runtime({ retain: { exited: 2.5 } })).toThrow(/retain\.exited: got 2\.5; expected an integer >= 1 \(how many exited processes to keep\)/);
    expect(() => new Runtime({ retain: { exitted: 5 } as never })).toThrow(/Runtime options\.retain\.exitted: got 5; no such option, did you mean 'exited'\?/);
    expect(() => new Runtime({ retain: 'all' as never })).toThrow(/Runtime options\.retain: got "all"/);
    expect(() => new Runtime({ history: new History(), retain: { events: 10 } })).toThrow(
      /retain\.events: got 10; expected nothing when `history` is given \(bound that History with its own keep\)/,
    );
    expect(() => new History(undefined, undefined, undefined, { keep: -1 })).toThrow(/History retention\.keep: got -1; expected an integer >= 1/);
  });
});
