import { describe, expect } from 'vitest';
import { test } from '@quiesce/harness';
import '@quiesce/assertions';
import { startTestPool } from '../support/pool.js';

describe('sessions', () => {
  test('concurrent updates to a session variable end in a value one of the writers wrote', async ({ system }) => {
    const pool = await startTestPool(system, { size: 2, capacity: 4 });
    await pool.set('s1', 'counter', 0);
    const writers = Array.from({ length: 10 }, (_, i) => i + 1);
    await Promise.all(writers.map((i) => pool.set('s1', 'counter', i)));
    expect(writers).toContain(await pool.get('s1', 'counter'));
    // Every request of the session went to the one worker holding its variables.
    const workers = system.history
      .ofKind('pypool.dispatch')
      .filter((e) => e.data.session === 's1')
      .map((e) => e.data.worker);
    expect(new Set(workers).size).toBe(1);
  });

  test('sessions are kept on their worker and isolated from each other', async ({ system }) => {
    const pool = await startTestPool(system, { size: 2 });
    await Promise.all(['a', 'b', 'c', 'd'].map((s) => pool.set(s, 'name', `value of ${s}`)));
    expect(await Promise.all(['a', 'b', 'c', 'd'].map((s) => pool.get(s, 'name')))).toEqual(['value of a', 'value of b', 'value of c', 'value of d']);
    const pins = system.history.ofKind('pypool.session_pin').map((e) => e.data.worker);
    expect(new Set(pins)).toEqual(new Set(['w1', 'w2']));
    await expect(pool.get('a', 'missing')).rejects.toMatchObject({ code: 'BAD_REQUEST', status: 404, reason: 'NO_VARIABLE' });
  });

  test('ending a session deletes its variables in the worker and the pool forgets it', async ({ system }) => {
    const pool = await startTestPool(system, { size: 1 });
    await pool.set('done', 'x', 1);
    await pool.set('kept', 'x', 2);
    await pool.endSession('done');
    expect(pool.sessions()).toEqual(['kept']);
    expect((await pool.execute({ op: 'sessions' })).result).toEqual(['kept']);
    await system.until({ kind: 'pypool.session_end', data: { session: 'done' } }, { since: 'start' });
    // A new session of the same name starts empty.
    await expect(pool.get('done', 'x')).rejects.toMatchObject({ status: 404 });
  });

  test('a restart of its worker loses a session: the pool cleans it up and says so', async ({ system }) => {
    const pool = await startTestPool(system, { size: 2 });
    await pool.set('s', 'x', 1);
    const worker = system.history.ofKind('pypool.session_pin')[0]!.data.worker;
    const mark = system.mark();
    system.kill(pool.supervisor.child(worker)!, 'kill');
    await expect(pool.supervisor).toRestart(worker, { since: mark });
    await system.until({ kind: 'pypool.session_lost', data: { session: 's', worker } }, { since: mark });
    expect(pool.sessions()).toEqual([]);
    // Its owner is told once (410 Gone); the next use of the id is a new, empty session.
    await expect(pool.get('s', 'x')).rejects.toMatchObject({ code: 'SESSION_LOST', status: 410 });
    await expect(pool.get('s', 'x')).rejects.toMatchObject({ code: 'BAD_REQUEST', status: 404 });
  });
});
