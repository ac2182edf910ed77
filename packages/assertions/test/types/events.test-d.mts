/**
 * The event map (docs/events.md) as a consumer sees it through the built packages: a misspelt
 * kind or a wrong payload does not compile, for `record`, `ofKind` data access, `until` and a
 * matcher's property. Never run, only type-checked: each `@ts-expect-error` must be an error.
 */
import { expect, expectTypeOf } from 'vitest';
import { channelName, isKind, LIFECYCLE_KINDS, type History, type HistoryEvent, type LifecycleKind, type Runtime } from '@quiesce/runtime';
import type { TestSystem } from '@quiesce/harness';
import { sometimes } from '@quiesce/assertions';

declare const runtime: Runtime;
declare const history: History;
declare const system: TestSystem;
declare const event: HistoryEvent;
declare const kindKnownAtRunTime: string;

// A user's own typed kinds: declaration merging, as the harness does for its own.
declare module '@quiesce/runtime' {
  interface QuiesceEvents {
    'cache.hit': { key: string };
  }
}

export async function events(): Promise<void> {
  // record: a declared kind takes exactly its payload.
  expectTypeOf(runtime.record('child.restart', 'pool', { id: 'w1', pid: '<0.4>' }).data).toEqualTypeOf<{ id: string; pid: string }>();
  // @ts-expect-error a misspelt kind of ours
  runtime.record('child.restrat', 'pool', { id: 'w1', pid: '<0.4>' });
  // @ts-expect-error a wrong payload: pid is missing
  runtime.record('child.restart', 'pool', { id: 'w1' });
  // @ts-expect-error a wrong payload: an OS pid is a number
  runtime.record('os.exit', 'os:sleep', { pid: '12', code: 0, signal: null });
  // The harness's kinds are merged into the same map.
  system.record('port.lease', 'ports', { port: 41_000, tier: 'lease', attempts: 1 });
  // @ts-expect-error a wrong payload for a harness kind: a lease is tier 'lease'
  system.record('port.lease', 'ports', { port: 41_000, tier: 'bind0', attempts: 1 });
  // @ts-expect-error a misspelt harness kind
  system.record('port.leese', 'ports', { port: 41_000, tier: 'lease', attempts: 1 });
  // A user's merged kind is checked like ours, and reserves its namespace.
  runtime.record('cache.hit', 'cache', { key: 'a' });
  // @ts-expect-error a wrong payload for a merged kind
  runtime.record('cache.hit', 'cache', { key: 1 });
  // @ts-expect-error a misspelt kind in a merged namespace
  runtime.record('cache.hti', 'cache', { key: 'a' });
  // Custom kinds, outside every declared namespace, take any data; so does a kind known only at run time.
  runtime.record('test.marker', 'test', { n: 1 });
  system.record('pool.acquire', 'pool');
  expectTypeOf(system.record('sum', 'fixture', { a: 1 }).data).toEqualTypeOf<unknown>();
  runtime.record(kindKnownAtRunTime, 'observer', [1, 2]);

  // ofKind: the data is typed from the map.
  const [restart] = history.ofKind('child.restart');
  expectTypeOf(restart!.data.id).toEqualTypeOf<string>();
  expectTypeOf(history.ofKind('os.exit')[0]!.data.signal).toEqualTypeOf<NodeJS.Signals | null>();
  expectTypeOf(history.ofKind('http.request')[0]!.data.handled).toEqualTypeOf<boolean>();
  expectTypeOf(history.ofKind('pool.acquire')[0]!.data).toEqualTypeOf<unknown>();
  // @ts-expect-error a misspelt kind
  history.ofKind('child.restrat');
  // @ts-expect-error no such field in the payload
  void restart!.data.childId;
  // @ts-expect-error a wrong payload type: a child's pid is recorded as a string
  const pid: number = restart!.data.pid;
  void pid;

  // isKind narrows a history event; a misspelt kind does not compile.
  if (isKind(event, 'child.exit', 'child.terminate')) expectTypeOf(event.data.reason).toEqualTypeOf<unknown>();
  // @ts-expect-error a misspelt kind
  isKind(event, 'child.exitt');

  // until: the kind, and a partial event's data, are checked; the event it resolves with is typed.
  const ev = await system.until({ kind: 'child.restart', data: { id: 'w1' } });
  expectTypeOf(ev.data).toEqualTypeOf<{ id: string; pid: string }>();
  expectTypeOf((await system.until('os.exit')).data.code).toEqualTypeOf<number | null>();
  await system.until({ kind: 'child.restart', source: /^pool/, data: { id: /^w/ } });
  await system.until({ kind: 'pool.workerCreate', data: { anything: 1 } });
  await system.until((e) => e.kind === 'pool.workerCreate');
  // @ts-expect-error a misspelt kind
  await system.until('child.restrat');
  // @ts-expect-error a misspelt kind in a partial event
  await system.until({ kind: 'child.restrat', data: { id: 'w1' } });
  // @ts-expect-error a field the payload does not have
  await system.until({ kind: 'child.restart', data: { childId: 'w1' } });
  // @ts-expect-error a wrong payload type
  await system.until({ kind: 'child.restart', data: { id: 1 } });

  // A matcher's property reads typed data.
  expect(history).toSatisfy(sometimes('w1 restarted', (h) => h.ofKind('child.restart').some((e) => e.data.id === 'w1')));
  // @ts-expect-error a field the payload does not have
  expect(history).toSatisfy(sometimes('w1 restarted', (h) => h.ofKind('child.restart').some((e) => e.data.child === 'w1')));
  // @ts-expect-error a misspelt kind
  expect(history).toSatisfy(sometimes('w1 restarted', (h) => h.ofKind('child.restarted').length > 0));

  // The diagnostics channels are derived from the map.
  expectTypeOf(LIFECYCLE_KINDS).toEqualTypeOf<readonly LifecycleKind[]>();
  expectTypeOf(channelName('child.restart')).toEqualTypeOf<'quiesce:child.restart'>();
}
