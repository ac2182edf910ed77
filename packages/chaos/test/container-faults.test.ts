import { describe, expect } from 'vitest';
import { createTestSystem, test } from '@quiesce/harness';
import { Runtime } from '@quiesce/runtime';
import { chaos, FAULT_KINDS } from '@quiesce/chaos';
import { ask, REDIS_IMAGE, redisConnection } from '../../harness/test/containers/support.js';

const docker = { tags: ['docker'] };

describe('container faults through chaos', () => {
  test('pause and its heal, kill, restart: each recorded as fault.container before the harness records what the engine did', docker, async ({ system }) => {
    const port = await system.port();
    const redis = await system.container(REDIS_IMAGE, { command: ['--port', String(port)], listening: port });
    const connection = await redisConnection(system, port);
    await expect(ask(system, connection, 'SET k v')).resolves.toBe('+OK');
    const faults = chaos(system).container(redis);

    const pause = await faults.pause();
    await expect(redis.state()).resolves.toBe('paused');
    const sent = system.mark();
    connection.send('EXISTS k');
    const reply = system.until('redis.reply', { since: sent });
    pause.heal(); // thaws it: Redis answers what was sent meanwhile
    await expect(reply).resolves.toMatchObject({ data: { line: ':1' } });

    await faults.kill();
    await system.until('container.exited', { since: 'start' });
    await faults.restart();
    const again = await redisConnection(system, port, 'again');
    await expect(ask(system, again, 'PING', 'again')).resolves.toBe('+PONG');

    const kinds = system.history.events.filter(
      (e) => e.source === redis.source && /^(fault\.container|container\.(paused|unpaused|killed|restarted))$/.test(e.kind),
    );
    expect(kinds.map((e) => (e.kind === FAULT_KINDS.container ? `fault ${(e.data as Record<string, unknown>).action}` : e.kind))).toEqual([
      'fault pause',
      'container.paused',
      'container.unpaused',
      'fault kill',
      'container.killed',
      'fault restart',
      'container.restarted',
    ]);
  });

  test('stop: the container exits; unpause after pause heals the pause fault', docker, async ({ system }) => {
    const port = await system.port();
    const redis = await system.container(REDIS_IMAGE, { command: ['--port', String(port)], listening: port });
    const faults = chaos(system).container(redis);
    const pause = await faults.pause();
    await faults.unpause();
    expect(pause.active).toBe(false);
    await faults.stop({ grace: 1000 });
    await expect(redis.state()).resolves.toBe('exited');
  });

  test("another test's container, or chaos on a bare Runtime: refused with NOT_OWNED, never touched", docker, async ({ system }) => {
    const other = createTestSystem({ testId: 'the other test' });
    const port = await other.port();
    const redis = await other.container(REDIS_IMAGE, { command: ['--port', String(port)], listening: port });
    expect(() => chaos(system).container(redis)).toThrow(expect.objectContaining({ code: 'NOT_OWNED' }));
    const rt = new Runtime({ clock: 'virtual' });
    expect(() => chaos(rt).container(redis)).toThrow(expect.objectContaining({ code: 'NOT_OWNED' }));
    await expect(redis.state()).resolves.toBe('running');
    await other.teardown();
    await rt.shutdown();
  });
});

describe('container faults without an engine', () => {
  test('anything but a container handle is refused with a QuiesceError naming the argument', ({ system }) => {
    for (const bad of [undefined, null, 42, 'redis', {}, { kind: 'process', label: 'x', source: 'x' }]) {
      expect(() => chaos(system).container(bad as never)).toThrow(/container\(handle\)/);
    }
  });
});
