import { describe, expect, test } from 'vitest';
import { QuiesceError, startSupervisor, supervisor, type ChildSpec, type SupervisorRef } from '@quiesce/runtime';
import { child, crashable, rejection, trace, vrt } from '../support/helpers.js';

/**
 * A child whose first restart fails; while that failed restart waits to be retried (the child
 * shows as `restarting`), `during` runs once, from inside the failing start, so its calls reach
 * the supervisor's mailbox before the retry does.
 */
function failsFirstRestart(during: (sup: SupervisorRef) => void, getSup: () => SupervisorRef): ChildSpec {
  let starts = 0;
  const start = crashable();
  return {
    id: 'w',
    start: (ctx) => {
      starts++;
      if (starts !== 2) return start(ctx);
      during(getSup());
      return { error: 'restart refused once' };
    },
  };
}

async function withRestarting(during: (sup: SupervisorRef) => void) {
  const rt = vrt();
  let sup!: SupervisorRef;
  sup = await startSupervisor(rt, supervisor({ id: 'sup', intensity: 5, children: [child('a'), failsFirstRestart(during, () => sup)] }));
  rt.send(sup.child('w')!, { crash: 'boom' });
  await rt.idle();
  return { rt, sup };
}

/** Start the call now and keep its rejection (it settles while the test is still waiting for idle). */
function caught(p: Promise<unknown>): Promise<unknown> {
  return rejection(p);
}

async function code(p: Promise<unknown> | undefined): Promise<string> {
  const error = await p;
  expect(error).toBeInstanceOf(QuiesceError);
  return (error as QuiesceError).code;
}

describe('the child API on a child that is restarting (OTP: {error, restarting})', () => {
  test('restartChild is refused as restarting, not running; the retry then brings the child back', async () => {
    let call: Promise<unknown> | undefined;
    const { rt, sup } = await withRestarting((s) => (call = caught(s.restartChild('w'))));
    expect(await code(call)).toBe('CHILD_RESTARTING');
    expect(rt.isAlive(sup.child('w')!)).toBe(true);
  });

  test('deleteChild is refused as restarting and the spec is kept', async () => {
    let call: Promise<unknown> | undefined;
    const { sup } = await withRestarting((s) => (call = caught(s.deleteChild('w'))));
    expect(await code(call)).toBe('CHILD_RESTARTING');
    expect(sup.whichChildren().map((c) => c.id)).toEqual(['a', 'w']);
  });

  test('terminateChild stops the retry: the child stays down with its spec kept, and restartChild starts it', async () => {
    let call: Promise<unknown> | undefined;
    const { rt, sup } = await withRestarting((s) => (call = s.terminateChild('w')));
    await expect(call).resolves.toBeUndefined();
    expect(sup.whichChildren().find((c) => c.id === 'w')?.pid).toBeUndefined();
    expect(trace(rt, ['child.restart'])).toEqual([]);
    const pid = await sup.restartChild('w');
    expect(rt.isAlive(pid!)).toBe(true);
  });
});
