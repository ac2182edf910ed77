import diagnostics from 'node:diagnostics_channel';
import { EventEmitter } from 'node:events';
import fc from 'fast-check';
import { describe, expect } from 'vitest';
import { QuiesceError, Runtime, channelName, type HistoryEvent } from '@quiesce/runtime';
import { test, type TestSystem } from '@quiesce/harness';
import '@quiesce/assertions';
import { failureOf } from './support.js';

/**
 * A pool that emits 'request' on a third-party EventEmitter (observed into the history as
 * `pool.request`) once per job it handles; jobs arrive over virtual time, the last one at 40 ms.
 */
function pool(system: TestSystem, jobs: number): EventEmitter {
  const telemetry = new EventEmitter();
  system.observe(telemetry, { request: 'pool.request' }, { source: 'pool' });
  const worker = system.runtime.spawn((msg) => void telemetry.emit('request', msg), { label: 'worker' });
  system.runtime.spawn(() => undefined, {
    label: 'client',
    init: (self) => {
      for (let i = 0; i < jobs; i++) self.runtime.setTimer(10 * (i + 1), () => self.runtime.send(worker, { job: i }), self.self);
    },
  });
  return telemetry;
}

describe('toRecordEvents', () => {
  test('counts every event of a kind once the system is idle, exactly', async ({ system }) => {
    pool(system, 3);
    await system.advance(100);
    await expect(system).toRecordEvents('pool.request', 3);
    await expect(system).toRecordEvents('pool.request', { atLeast: 1, atMost: 3 });
    await expect(system).toRecordEvents({ kind: 'pool.request', data: [{ job: 2 }] }, { exactly: 1 });
    await expect(system).not.toRecordEvents('pool.request', { atMost: 2 });
    const counted = await system.count('pool.request');
    // An observed emitter lives outside the runtime (it may emit at any time): the count is decided
    // after a quiet period with no event, not at durable idle.
    expect(counted).toMatchObject({ count: 3, since: 0, quiescence: { by: 'quiet-period' } });
  });

  test('one event more than expected fails, listing every event counted', async ({ system }) => {
    pool(system, 4);
    await system.advance(100);
    const message = await failureOf(() => expect(system).toRecordEvents('pool.request', 3));
    expect(message).toContain('Expected: exactly 3 event(s) of kind "pool.request"');
    expect(message).toContain('Received: 4 (decided after 100 ms of real time with no event while things outside the runtime were live');
    expect(message).toContain('Events counted (4):');
    expect(message).toMatch(/40ms\s+pool\.request\s+pool \[\{"job":3\}\]/);
  });

  test('decides at durable idle: events still to come before idle are counted', async ({ system }) => {
    const worker = system.runtime.spawn((msg, self) => void self.runtime.record('pool.request', 'pool', msg), { label: 'worker' });
    // Casts not yet delivered when the assertion starts: a count taken at once would see none.
    for (let i = 0; i < 5; i++) system.runtime.send(worker, { job: i });
    await expect(system).toRecordEvents('pool.request', 5);
    const message = await failureOf(() => expect(system).toRecordEvents('pool.request', 4));
    expect(message).toContain('Received: 5 (decided when the system was durably idle)');
  });

  test('counts from a mark, and at least / at most say so when they fail', async ({ system }) => {
    pool(system, 2);
    await system.advance(15);
    const mark = system.mark();
    await system.advance(100);
    await expect(system).toRecordEvents('pool.request', { exactly: 1, since: mark });
    expect(await failureOf(() => expect(system).toRecordEvents('pool.request', { atLeast: 3 }))).toContain('Expected: at least 3 event(s)');
    expect(await failureOf(() => expect(system).toRecordEvents('pool.request', { atMost: 1 }))).toContain('Expected: at most 1 event(s)');
    expect(await failureOf(() => expect(system).toRecordEvents((e: HistoryEvent) => e.kind === 'nothing', { atLeast: 1, atMost: 2 }))).toContain(
      'Expected: between 1 and 2 event(s) accepted by the predicate',
    );
  });

  test('counts what a third party publishes on a diagnostics channel, one too many seen', async ({ system }) => {
    system.bridgeDiagnostics({ kinds: ['child.restart'] });
    for (let i = 0; i < 3; i++) {
      diagnostics
        .channel(channelName('child.restart'))
        .publish({ kind: 'child.restart', source: 'thread-pool', time: Date.now(), data: { id: `w${i}`, pid: `t${i}` } });
    }
    await expect(system).toRecordEvents({ kind: 'child.restart', source: 'thread-pool' }, 3);
    const message = await failureOf(() => expect(system).toRecordEvents('child.restart', { atMost: 2 }));
    expect(message).toContain('Expected: at most 2 event(s) of kind "child.restart"');
    expect(message).toContain('Received: 3');
  });

  test('a bare Runtime is waited on too; a bare History is counted at once', async () => {
    const runtime = new Runtime({ clock: 'virtual' });
    const p = runtime.spawn((msg, self) => void self.runtime.record('tick', 'p', msg));
    runtime.send(p, 1);
    await expect(runtime).toRecordEvents('tick', 1);
    expect(await failureOf(() => expect(runtime.history).toRecordEvents('tick', 2))).toContain('counted at once: a bare History cannot be waited on');
    await runtime.shutdown();
  });

  test('refuses bounds it does not accept, naming them', async ({ system }) => {
    await expect(expect(system).toRecordEvents('x', {})).rejects.toThrow(/toRecordEvents\(bounds\): got \{\}; expected a count/);
    await expect(expect(system).toRecordEvents('x', { exactly: 1, atMost: 2 })).rejects.toThrow(QuiesceError);
    await expect(expect(system).toRecordEvents('x', { atLeast: 3, atMost: 2 })).rejects.toThrow(QuiesceError);
    await expect(expect(system).toRecordEvents('x', { exaclty: 1 } as never)).rejects.toThrow(/did you mean 'exactly'/);
    await expect(expect(system).toRecordEvents(42 as never, 1)).rejects.toThrow(/toRecordEvents\(pattern\): got 42/);
    await expect(system.count('x', { since: -1 } as never)).rejects.toThrow(/count options\.since: got -1/);
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(fc.anything(), fc.record({ exactly: fc.anything(), atLeast: fc.anything(), atMost: fc.anything() }, { requiredKeys: [] })),
        async (bounds) => {
          const valid = (n: unknown) => n === undefined || (Number.isSafeInteger(n) && (n as number) >= 0);
          const b = bounds as { exactly?: unknown; atLeast?: unknown; atMost?: unknown };
          const plain =
            typeof bounds === 'object' &&
            bounds !== null &&
            !Array.isArray(bounds) &&
            Object.keys(bounds).every((k) => ['exactly', 'atLeast', 'atMost'].includes(k));
          const ok =
            (Number.isSafeInteger(bounds) && (bounds as number) >= 0) ||
            (plain &&
              valid(b.exactly) &&
              valid(b.atLeast) &&
              valid(b.atMost) &&
              (b.exactly !== undefined) !== (b.atLeast !== undefined || b.atMost !== undefined) &&
              !(b.atLeast !== undefined && b.atMost !== undefined && (b.atLeast as number) > (b.atMost as number)));
          const run = expect(system).toRecordEvents('never.recorded', bounds as never);
          if (ok) await run.catch((error: unknown) => expect(error).not.toBeInstanceOf(QuiesceError));
          else await expect(run).rejects.toThrow(QuiesceError);
        },
      ),
      { numRuns: 80 },
    );
  });
});
