import { describe, expect } from 'vitest';
import { formatTimeline, InvalidOptionError, isExitMessage, supervisor, worker, type Pid } from '@quiesce/runtime';
import { createTestSystem, test, type TestSystem } from '@quiesce/harness';
import { atMostRestarts, childrenStoppedRightToLeft, sometimes, sweep, SweepError, transientNotRestartedAfterNormalExit } from '@quiesce/assertions';
import { failureOf, flaky } from './support.js';

describe('atMostRestarts', () => {
  test('a sliding window over restart times; the witness is exactly the n+1 restarts in one window', async ({ system }) => {
    const pool = await system.start(supervisor({ id: 'pool', intensity: 100, period: 60, children: [worker('w1', flaky(1000)), worker('w2', flaky())] }));
    await expect(pool).toRestart('w1', { times: 4, timeout: 60_000 });
    const h = system.history;
    expect(h).toSatisfy(atMostRestarts(4));
    expect(h).toSatisfy(atMostRestarts(3).within('2999ms'));
    expect(h).toSatisfy(atMostRestarts(0).of('w2'));
    expect(h).toSatisfy(atMostRestarts(0).by('elsewhere'));

    const verdict = atMostRestarts(2).within('2s').check(system);
    expect(verdict.ok).toBe(false);
    if (verdict.ok) return;
    // Restarts at 1s, 2s, 3s, 4s: 1s..3s is the earliest window of 2s holding 3 of them (inclusive).
    expect(verdict.witness.map((e) => e.time)).toEqual([1000, 2000, 3000]);
    expect(verdict.witness.every((e) => e.kind === 'child.restart')).toBe(true);
    expect(verdict.message).toBe('3 restarts within 2s (window 2s), from 1s to 3s: more than 2');

    const message = await failureOf(() => expect(h).toSatisfy(atMostRestarts(3).within('5s').of('w1').by('pool')));
    expect(message).toMatch(/^expect\(received\)\.toSatisfy\(property\)/);
    expect(message).toMatch(
      /Expected the history to satisfy: at most 3 restarts of "w1" by pool within 5s\nbut: 4 restarts of "w1" within 3s \(window 5s\), from 1s to 4s: more than 3/,
    );
    expect(message).toMatch(/minimal witness \(4 events\):\n(#.*child\.restart +pool \{"id":"w1".*\n){3}#.*child\.restart/);
    expect(message).toContain(formatTimeline(h.tail(15)));
    const not = await failureOf(() => expect(system).not.toSatisfy(atMostRestarts(4)));
    expect(not).toMatch(/Expected the history not to satisfy: at most 4 restarts\nbut it does \(\d+ events\)\./);
  });

  test('bad arguments throw InvalidOptionError naming the call', () => {
    expect(() => atMostRestarts(-1)).toThrow(/atMostRestarts\(n\): got -1; expected an integer >= 0/);
    expect(() => atMostRestarts(1).within('5 parsecs' as never)).toThrow(/atMostRestarts\(n\)\.within\(window\): got "5 parsecs"; expected a duration/);
    expect(() => atMostRestarts(1).of('')).toThrow(InvalidOptionError);
    expect(() => atMostRestarts(1).by(3 as never)).toThrow(/atMostRestarts\(n\)\.by\(supervisor\): got 3/);
    expect(() => atMostRestarts(1).check(42 as never)).toThrow(/expected a History, a TestSystem/);
  });
});

/**
 * A third party's naive supervisor that publishes Quiesce's lifecycle events (docs/architecture.md, "One history") and,
 * wrongly, restarts its transient child after any exit.
 */
function naiveSupervisor(system: TestSystem, label: string): Pid {
  const startChild = (): Pid => system.runtime.spawn((msg, self) => void (msg === 'done' && self.exit('normal')), { label: `${label}/job` });
  let child: Pid | undefined;
  const sup = system.runtime.spawn(
    (msg, self) => {
      if (!isExitMessage(msg) || !child?.equals(msg.from)) return;
      system.record('child.exit', label, { id: 'job', pid: String(msg.from), reason: msg.reason, restart: 'transient' });
      child = startChild();
      self.link(child);
      system.record('child.restart', label, { id: 'job', pid: String(child) });
    },
    {
      trapExit: true,
      label,
      init: (self) => {
        child = startChild();
        self.link(child);
        system.record('child.start', label, { id: 'job', pid: String(child) });
      },
    },
  );
  return sup;
}

describe('transientNotRestartedAfterNormalExit', () => {
  test("holds for the runtime's supervisors, even when one_for_all restarts a transient child a sibling's crash took down", async ({ system }) => {
    const pool = await system.start(
      supervisor({ id: 'pool', strategy: 'one_for_all', intensity: 5, children: [worker('t', flaky(), { restart: 'transient' }), worker('p', flaky())] }),
    );
    system.send(pool.child('t')!, { exit: 'normal' });
    await expect(pool).not.toRestart('t');
    system.kill(pool.child('p')!, 'boom');
    await expect(pool).toRestart('p');
    expect(system.history).toSatisfy(transientNotRestartedAfterNormalExit());
    system.send(pool.child('t')!, { exit: { shutdown: 'done' } });
    await expect(pool).not.toRestart('t');
    expect(system).toSatisfy(transientNotRestartedAfterNormalExit());
  });

  test('a supervisor that restarts a transient child after a normal exit is caught, with the exit and the restart as witness', async ({ system }) => {
    const sup = naiveSupervisor(system, 'naive');
    await system.runtime.idle();
    const job = system.history.ofKind('child.start').at(-1)!.data as { pid: string };
    const jobPid = system.runtime.processes().find((p) => p.toString() === job.pid)!;
    system.send(jobPid, 'done');
    await system.until({ kind: 'child.restart', source: 'naive' });
    const verdict = transientNotRestartedAfterNormalExit().check(system.history);
    expect(verdict.ok).toBe(false);
    if (verdict.ok) return;
    expect(verdict.witness.map((e) => e.kind)).toEqual(['child.exit', 'child.restart']);
    expect(verdict.message).toBe('transient child "job" exited with "normal" (a normal exit) and naive restarted it');
    const message = await failureOf(() => expect(system.history).toSatisfy(transientNotRestartedAfterNormalExit()));
    expect(message).toMatch(/minimal witness \(2 events\):\n.*child\.exit +naive .*"reason":"normal".*\n.*child\.restart +naive/);
    // Without the restart type in the history, the children given decide who is transient.
    expect(system.history).toSatisfy(transientNotRestartedAfterNormalExit(['other']));
    expect(system.history).not.toSatisfy(transientNotRestartedAfterNormalExit([worker('job', flaky(), { restart: 'transient' })]));
    expect(() => transientNotRestartedAfterNormalExit([42 as never])).toThrow(/transientNotRestartedAfterNormalExit\(children\)\[0\]: got 42/);
    system.kill(sup, 'kill');
  });
});

describe('childrenStoppedRightToLeft', () => {
  test('holds for a shutdown and for strategy restarts; back-to-back terminations left to right are caught', async ({ system }) => {
    const pool = await system.start(
      supervisor({ id: 'pool', strategy: 'one_for_all', intensity: 5, children: [worker('a', flaky()), worker('b', flaky()), worker('c', flaky())] }),
    );
    system.kill(pool.child('b')!, 'boom');
    await expect(pool).toRestart('c');
    const rule = childrenStoppedRightToLeft('pool', ['a', 'b', 'c']);
    expect(system.history).toSatisfy(rule);

    await pool.terminateChild('a');
    await pool.terminateChild('b');
    const verdict = rule.check(system.history);
    expect(verdict.ok).toBe(false);
    if (verdict.ok) return;
    expect(verdict.witness.map((e) => (e.data as { id: string }).id)).toEqual(['a', 'b']);
    expect(verdict.message).toBe('pool terminated "a" before "b", which starts after it: children stop right to left');

    const other = await system.start(supervisor({ id: 'other', children: [worker('x', flaky()), worker('y', flaky()), worker('z', flaky())] }));
    await system.stop(other);
    expect(system.history).toSatisfy(childrenStoppedRightToLeft('other', ['x', 'y', 'z']));
    expect(() => childrenStoppedRightToLeft('', ['a'])).toThrow(InvalidOptionError);
    expect(() => childrenStoppedRightToLeft('pool', ['a', 'a'])).toThrow(/expected an array of distinct child ids/);
  });
});

describe('sometimes and sweep', () => {
  /** One run: a worker that crashes once at a seeded virtual time in [0, 2000), restarted. */
  const run = async (seed: number): Promise<TestSystem> => {
    const system = createTestSystem({ testId: 'sweep', seed });
    const crashAt = system.random.int(2000);
    const pool = await system.start(supervisor({ id: 'pool', intensity: 5, children: [worker('w', flaky(crashAt))] }));
    await expect(pool).toRestart('w', { timeout: 2000 });
    await system.stop(pool);
    return system;
  };
  const early = sometimes('a crash in the first 500ms', (h) => h.ofKind('child.restart').some((e) => e.time < 500));
  const late = sometimes('a crash after 1500ms', (h) => h.ofKind('child.restart').some((e) => e.time >= 1500));

  test('every declared path reached by some seed: the report says which seeds reached which', async () => {
    const report = await sweep(12, run, [early, late, atMostRestarts(1)]);
    expect(report.seeds).toEqual([...Array(12).keys()]);
    expect(report.reached['a crash in the first 500ms']!.length).toBeGreaterThan(0);
    expect(report.reached['a crash after 1500ms']!.length).toBeGreaterThan(0);
  });

  test('a path never reached fails the sweep, naming it', async () => {
    const never = sometimes('two restarts in one run', (h) => h.ofKind('child.restart').length >= 2);
    const restarted = sometimes('a restart', (h) => h.ofKind('child.restart').length > 0);
    const error = (await sweep([1, 2, 3], run, [restarted, never]).catch((e: unknown) => e)) as SweepError;
    expect(error).toBeInstanceOf(SweepError);
    expect(error.message).toBe('sweep: a path was never reached in 3 run(s) (seeds 1..3): "two restarts in one run"');
    expect(error.property).toBe('two restarts in one run');
  });

  test('an invariant violated in one run fails with that seed and the witness', async () => {
    const error = (await sweep(5, run, [atMostRestarts(0)]).catch((e: unknown) => e)) as SweepError;
    expect(error).toBeInstanceOf(SweepError);
    expect(error.seed).toBe(0);
    expect(error.witness).toHaveLength(1);
    expect(error.message).toMatch(/^sweep: seed 0 violates "at most 0 restarts": 1 restarts, from .* to .*: more than 0\n\nwitness:\n#.*child\.restart +pool/);
    expect(createTestSystem().history).toSatisfy(sometimes('anything', () => true));
  });

  test('bad arguments throw InvalidOptionError', async () => {
    await expect(sweep(0, run, [])).rejects.toThrow(/sweep\(seeds\): got 0/);
    await expect(sweep([-1], run, [])).rejects.toThrow(InvalidOptionError);
    await expect(sweep(1, 'run' as never, [])).rejects.toThrow(/sweep\(seeds, run\)/);
    await expect(sweep(1, run, [() => true] as never)).rejects.toThrow(/sweep\(seeds, run, properties\)/);
    expect(() => sometimes('', () => true)).toThrow(/sometimes\(name\)/);
  });
});

describe("Vitest's own toSatisfy", () => {
  test('plain predicates behave exactly as before', async () => {
    expect(5).toSatisfy((n: number) => n > 3);
    expect(2).not.toSatisfy((n: number) => n > 3);
    const message = await failureOf(() => expect(2).toSatisfy((n: number) => n > 3, 'more than three'));
    expect(message).toBe('expect(received).toSatisfy()\n\nExpected value to satisfy:\nmore than three\n\nReceived:\n2');
    expect({ n: 5 }).toEqual({ n: expect.toSatisfy((n: number) => n > 3) });
  });
});
