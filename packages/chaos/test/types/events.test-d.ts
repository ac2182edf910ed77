/**
 * Chaos's kinds in the event map (docs/events.md), as a user's strict test sees them: a misspelt
 * chaos kind or a wrong payload does not compile, and a fault event's data is typed without a
 * cast. Never run, only type-checked (tsconfig.test.json): each `@ts-expect-error` must be an error.
 */
import { expectTypeOf } from 'vitest';
import type { History, Runtime } from '@quiesce/runtime';
import type { TestSystem } from '@quiesce/harness';
import { CHAOS_KINDS, FAULT_KINDS } from '@quiesce/chaos';

declare const runtime: Runtime;
declare const history: History;
declare const system: TestSystem;

export async function chaosEvents(): Promise<void> {
  // ofKind: a fault's data is typed from the map, no cast.
  expectTypeOf(history.ofKind('fault.tcp')[0]!.data.action).toEqualTypeOf<'toxic' | 'timeout' | 'limit_data' | 'reset_peer' | 'down' | 'up'>();
  const tcp = history.ofKind('fault.tcp')[0]!.data;
  if (tcp.action === 'toxic') expectTypeOf(tcp.direction).toEqualTypeOf<'upstream' | 'downstream'>();
  expectTypeOf(history.ofKind('fault.kill')[0]!.data).toEqualTypeOf<{ fault: string; pid: string }>();
  expectTypeOf(history.ofKind('fault.clock_jump')[0]!.data.ms).toEqualTypeOf<number>();
  expectTypeOf(history.ofKind('chaos.converged')[0]!.data.missing).toEqualTypeOf<string[]>();
  // The named kinds are the same literals, so they type the data too.
  expectTypeOf(FAULT_KINDS.tcp).toEqualTypeOf<'fault.tcp'>();
  expectTypeOf(history.ofKind(FAULT_KINDS.http)[0]!.data.fault).toEqualTypeOf<string>();
  expectTypeOf(history.ofKind(CHAOS_KINDS.step)[0]!.data.action).toEqualTypeOf<string>();
  // @ts-expect-error a misspelt chaos kind: the fault namespace is reserved
  history.ofKind('fault.tpc');
  // @ts-expect-error no such field in a kill's payload
  void history.ofKind('fault.kill')[0]!.data.reason;

  // record: a chaos kind takes exactly its payload.
  runtime.record('fault.tcp', 'proxy', { action: 'down', connections: 2 });
  runtime.record('chaos.step', 'monkey', { step: 1, action: 'kill' });
  // @ts-expect-error a misspelt fault kind
  runtime.record('fault.kil', 'w1', { fault: 'f1', pid: '<0.4>' });
  // @ts-expect-error a misspelt monkey kind
  runtime.record('chaos.stpe', 'monkey', { step: 1, action: 'kill' });
  // @ts-expect-error a wrong payload: a killed process's pid is recorded as a string
  runtime.record('fault.kill', 'w1', { fault: 'f1', pid: 4 });
  // @ts-expect-error a wrong payload: 'sideways' is no proxy action
  runtime.record('fault.tcp', 'proxy', { action: 'sideways' });
  // @ts-expect-error a wrong payload: a container action is one of pause, unpause, stop, kill, restart
  system.record('fault.container', 'container:redis', { fault: 'f1', action: 'explode', container: 'redis' });

  // until: a partial event's data is checked against the kind's payload.
  expectTypeOf((await system.until({ kind: 'fault.http', data: { action: 'status' } })).data.url).toEqualTypeOf<string>();
  // @ts-expect-error a misspelt fault kind in a partial event
  await system.until({ kind: 'fault.htp', data: { action: 'status' } });
}
