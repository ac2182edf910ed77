// A server callback that returns none of its results (OTP's bad_return_value): the server stops
// with a BAD_RETURN error that names the callback, the value and what is accepted, instead of
// carrying on with an undefined state or crashing later on a TypeError far from the cause.
import { describe, expect, test } from 'vitest';
import { CallExitError, QuiesceError, startServer, type ServerBehaviour } from '@quiesce/runtime';
import { rejection, vrt } from '../support/helpers.js';

/** A server whose callbacks return whatever `bad` says, for the message 'bad'. */
function returning(bad: unknown): ServerBehaviour<number> {
  return {
    init: () => ({ state: 1 }),
    handleCall: (request, _from, n) => (request === 'bad' ? bad : { reply: n, state: n }) as never,
    handleCast: (message, n) => (message === 'bad' ? bad : { state: n + 1 }) as never,
    handleInfo: (message, n) => (message === 'bad' ? bad : { state: n }) as never,
  };
}

/** How each bad value is named in the message: an object by its keys, anything else as it is. */
const DESCRIBED: Record<string, string> = {
  'a bare state object': 'returned an object with keys { table }',
  undefined: 'returned undefined',
  'a number': 'returned 7',
  'a reply without a state': 'returned an object with keys { reply }',
};

describe('a callback returning none of its results', () => {
  const values: Array<[string, unknown]> = [
    ['a bare state object', { table: [1, 2] }],
    ['undefined', undefined],
    ['a number', 7],
    ['a reply without a state', { reply: 1 }],
  ];

  test.each(values)('init returning %s: the start fails with BAD_RETURN naming init, the value and the results', async (_name, value) => {
    const rt = vrt();
    const error = (await rejection(startServer(rt, { init: () => value as never }, undefined))) as QuiesceError;
    expect(error.code).toBe('START_FAILED');
    const reason = error.details.reason as QuiesceError;
    expect(reason).toBeInstanceOf(QuiesceError);
    expect(reason.code).toBe('BAD_RETURN');
    expect(reason.message).toContain('init returned');
    expect(reason.message).toContain(DESCRIBED[_name]!);
    expect(reason.message).toContain('expected { state }, { ignore: true } or { stop: reason }');
    await rt.idle();
    expect(rt.processes()).toEqual([]);
  });

  test.each(values)('handleCall returning %s: the caller gets CallExitError, the server exits with BAD_RETURN', async (_name, value) => {
    const rt = vrt();
    const pid = await startServer(rt, returning(value), undefined);
    const error = await rejection(rt.call(pid, 'bad', 1000));
    expect(error).toBeInstanceOf(CallExitError);
    const reason = rt.exitReason(pid) as QuiesceError;
    expect(reason.code).toBe('BAD_RETURN');
    expect(reason.message).toMatch(/handleCall returned .*; expected \{ reply, state \}, \{ noreply: true, state \} or \{ stop: reason, state \}$/);
    expect(reason.details.callback).toBe('handleCall');
  });

  test.each(['handleCast', 'handleInfo'] as const)('%s returning a bare state object: the server exits with BAD_RETURN naming it', async (callback) => {
    const rt = vrt();
    const pid = await startServer(rt, returning({ table: [1] }), undefined);
    if (callback === 'handleCast') rt.cast(pid, 'bad');
    else rt.send(pid, 'bad');
    await rt.idle();
    expect(rt.isAlive(pid)).toBe(false);
    const reason = rt.exitReason(pid) as QuiesceError;
    expect(reason.code).toBe('BAD_RETURN');
    expect(reason.message).toBe(`server ${rt.label(pid)}: ${callback} returned an object with keys { table }; expected { state } or { stop: reason, state }`);
  });

  test('every result the types allow is taken (the check refuses only what is none of them)', async () => {
    const rt = vrt();
    const pid = await startServer(rt, returning({ state: 5 }), undefined);
    rt.cast(pid, 'bad');
    rt.send(pid, 'bad');
    expect(await rt.call(pid, 'get', 1000)).toBe(5);
    const stopping = await startServer(rt, returning({ stop: 'normal', state: 0 }), undefined);
    rt.cast(stopping, 'bad');
    await rt.idle();
    expect(rt.exitReason(stopping)).toBe('normal');
  });
});
