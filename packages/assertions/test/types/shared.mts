/**
 * Type-level checks every entry point must pass, called by each lane's test file with the module
 * it imported (`@quiesce/assertions`, `/vitest4` or `/vitest5`). Never run, only type-checked:
 * each `@ts-expect-error` must be an error, every other line must compile.
 */
import { expect, expectTypeOf } from 'vitest';
import type { DynamicSupervisorRef, History, Pid, SupervisorRef } from '@quiesce/runtime';
import type { Inbox, LoadStats, TestSystem } from '@quiesce/harness';
// The API's shape only: each lane passes the module it imported, so no entry's declarations leak in here.
import type * as Api from '../../src/public-api.js';

declare const ref: SupervisorRef;
declare const dyn: DynamicSupervisorRef;
declare const pid: Pid;
declare const system: TestSystem;
declare const inbox: Inbox;
declare const history: History;
declare const readable: import('node:stream').Readable;
declare const chunks: AsyncIterable<string>;
declare const stats: LoadStats;

export async function checks(api: typeof Api): Promise<void> {
  const { atMostRestarts, childrenStoppedRightToLeft, sometimes, sweep, transientNotRestartedAfterNormalExit } = api;
  // Synchronous matchers return void.
  expectTypeOf(expect(ref).toBeAlive()).toEqualTypeOf<void>();
  expectTypeOf(expect(pid).not.toBeAlive()).toEqualTypeOf<void>();
  expect({ system, pid }).toHaveExited();
  expect(pid).toHaveExited('boom');
  expect(pid).toHaveExited(/boom/);
  expect(ref).toHaveRestarted(2);
  expect(ref).toHaveRestarted(2, 'w1');
  expect(ref).toHaveChildren(['w1', 'w2']);
  expect(dyn).toHaveChildCount(3);
  expect(ref).toHaveAllChildrenAlive();
  expect(ref).toHaveTerminatedInOrder(['c', 'b', 'a']);

  // Asynchronous matchers return Promise<void>, with and without .not.
  expectTypeOf(expect(ref).toRestart('w1')).toEqualTypeOf<Promise<void>>();
  expectTypeOf(expect(ref).not.toRestart('w1', { timeout: 100 })).toEqualTypeOf<Promise<void>>();
  await expect(ref).toRestart({ times: 2 });
  await expect(ref).toRestart();
  await expect(pid).toBeResponsive({ timeout: 50 });
  await expect(inbox).toReceive({ type: 'ready' }, { timeout: 100 });
  await expect(inbox).not.toReceive({ type: 'error' });
  await expect(ref).toConverge({ within: '10s' });
  await expect(ref).toConverge({ within: 2500 });
  await expect(system).toHaveNoLeaks();
  expectTypeOf(expect(readable).toYield(['a', /b/], { system, timeout: 100 })).toEqualTypeOf<Promise<void>>();
  await expect(chunks).not.toYield(['a'], { end: false });
  await expect(inbox).toYield([{ type: 'chunk' }], { select: { ref: 1 }, until: { type: 'end' } });
  const yieldOptions: Api.YieldOptions = { timeout: 50 };
  await expect(readable).toYield([], yieldOptions);

  // A load result against latency bounds: synchronous.
  expectTypeOf(expect(stats).toMeetLatency({ p95: 200, errorRate: 0.01 })).toEqualTypeOf<void>();
  expect(stats).not.toMeetLatency({ p99: 500, throughput: 10 });
  const bounds: Api.LatencyBounds = { max: 1000 };
  expect(stats).toMeetLatency(bounds);

  // Properties are predicates, so Vitest's own toSatisfy signature accepts them.
  expect(history).toSatisfy(atMostRestarts(3).within('5s'));
  expect(system).toSatisfy(atMostRestarts(1).within(500).of('w1').by('pool'));
  expect(history).toSatisfy(transientNotRestartedAfterNormalExit());
  expect(history).toSatisfy(childrenStoppedRightToLeft('pool', ['a', 'b', 'c']));
  expect(5).toSatisfy((n: number) => n > 3);
  const p: Api.HistoryProperty = sometimes('w1 restarted', (h) => h.ofKind('child.restart').length > 0);
  expectTypeOf(p).toBeCallableWith(history);
  const report = await sweep(10, () => history, [p]);
  expectTypeOf(report.reached).toEqualTypeOf<Readonly<Record<string, readonly number[]>>>();

  // @ts-expect-error times must be a number
  await expect(ref).toRestart('w1', { times: '2' });
  // @ts-expect-error toHaveChildren takes an array of ids
  expect(ref).toHaveChildren('w1');
  // @ts-expect-error toHaveRestarted needs a count
  expect(ref).toHaveRestarted();
  // @ts-expect-error not a duration unit
  atMostRestarts(3).within('5 parsecs');
  // @ts-expect-error toYield takes the chunks as an array
  await expect(readable).toYield('a');
  // @ts-expect-error end is a boolean (an Inbox's end message is `until`)
  await expect(inbox).toYield([], { end: { type: 'end' } });
  // @ts-expect-error latency bounds are numbers of milliseconds
  expect(stats).toMeetLatency({ p95: '200ms' });
  // @ts-expect-error within takes a Duration, not an options object
  await expect(ref).toConverge({ within: { seconds: 5 } });
}
