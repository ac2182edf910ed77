import { type TestSystem, test } from '@quiesce/harness';
import { describe, expect } from 'vitest';
import { MemoryKeyValue, SessionService } from '../../src/index.js';

const TTL = 30 * 60_000;

/** The service's session logic on the test's virtual clock, with an in-process stand-in for Redis. */
function sessionsOn(system: TestSystem) {
  const now = () => system.now();
  let n = 0;
  return new SessionService(new MemoryKeyValue(now), { ttlMs: TTL, now, newId: () => `s-${++n}` });
}

describe('sessions (no Redis, virtual time)', () => {
  test('a session idle for its TTL expires: 410, decided on the virtual clock', async ({ system }) => {
    const sessions = sessionsOn(system);
    const { id, expiresAt } = await sessions.create();
    expect(expiresAt).toBe(TTL);

    await system.advance(TTL - 1);
    await sessions.exec(id, 'x = 1'); // used one ms before it would expire: the expiry moves on

    await system.advance(TTL - 1);
    expect(await sessions.getState(id)).toEqual({ x: 1 });
    await system.advance(1);
    await expect(sessions.getState(id)).rejects.toMatchObject({ status: 410, code: 'SESSION_EXPIRED' });
    // A minute later the store's own TTL (the backstop) has dropped it: gone, not just expired.
    await system.advance(60_000);
    await expect(sessions.getState(id)).rejects.toMatchObject({ status: 404, code: 'SESSION_NOT_FOUND' });
    expect(system.now()).toBe(2 * TTL + 60_000 - 1); // an hour of session life in a few real ms
  });

  test('two sessions share nothing', async ({ system }) => {
    const sessions = sessionsOn(system);
    const [a, b] = [await sessions.create(), await sessions.create()];
    await sessions.exec(a.id, 'x = 1; write "f" x');
    expect(await sessions.exec(b.id, 'print x')).toEqual({ stdout: '', error: 'NameError: x is not defined' });
    expect(await sessions.listFiles(b.id)).toEqual([]);
    expect(await sessions.listFiles(a.id)).toEqual(['f']);
  });

  test('bad input is a 400 naming what is wrong, before anything is read or written', async ({ system }) => {
    const sessions = sessionsOn(system);
    const { id } = await sessions.create();
    await expect(sessions.exec(id, 42)).rejects.toMatchObject({ status: 400, message: 'code: got 42; expected a non-empty string' });
    await expect(sessions.putState(id, { ok: 1, 'bad name': 2 })).rejects.toMatchObject({ status: 400, message: expect.stringContaining('"bad name"') });
    await expect(sessions.putState(id, [1])).rejects.toMatchObject({ status: 400, message: 'vars: got [1]; expected an object of name: number | string' });
    await expect(sessions.getState('../x')).rejects.toMatchObject({ status: 400 });
    await expect(sessions.getState('s-99')).rejects.toMatchObject({ status: 404, code: 'SESSION_NOT_FOUND' });
    expect(await sessions.getState(id)).toEqual({});
    expect(() => new SessionService(new MemoryKeyValue(), { ttlMs: 0 })).toThrow('SessionService options.ttlMs: got 0; expected a positive integer of ms');
  });
});
