import { describe, expect } from 'vitest';
import { createTestSystem, killContainer, pauseContainer, restartContainer, startContainer, stopContainer, test, unpauseContainer } from '@quiesce/harness';
import { ask, containersOf, REDIS_IMAGE, redisConnection } from './support.js';

const docker = { tags: ['docker'] };

describe('system.container', () => {
  test('a Redis container gets its port from system.port(), serves on 127.0.0.1 and is recorded from start to ready', docker, async ({ system }) => {
    const port = await system.port();
    const redis = await system.container(REDIS_IMAGE, { command: ['--port', String(port)], listening: port });
    expect(redis.port).toBe(port);
    expect(redis.host).toBe('127.0.0.1');
    const connection = await redisConnection(system, port);
    await expect(ask(system, connection, 'PING')).resolves.toBe('+PONG');
    const kinds = system.history.events.filter((e) => e.source === redis.source).map((e) => e.kind);
    expect(kinds).toEqual(['container.starting', 'container.started', 'container.ready']);
    expect(system.history.events.find((e) => e.kind === 'container.ready')?.data).toMatchObject({ port });
    expect(system.runtime.externalActors()).toContain(`container ${redis.label}`);
  });

  test('teardown removes the container: the engine no longer has it, and nothing is left held', docker, async () => {
    const system = createTestSystem({ testId: 'teardown removes the container' });
    const port = await system.port();
    const redis = await system.container(REDIS_IMAGE, { command: ['--port', String(port)], listening: port });
    await expect(containersOf(redis)).resolves.toEqual([redis.id]);
    await system.teardown();
    await expect(containersOf(redis)).resolves.toEqual([]);
    expect(system.history.events.map((e) => e.kind)).toContain('container.removed');
    expect(system.runtime.externalActors()).toEqual([]);
  });
});

describe('container faults through the engine API, with recovery', () => {
  test('paused, Redis answers nothing; unpaused, it answers what was sent meanwhile', docker, async ({ system }) => {
    const port = await system.port();
    const redis = await system.container(REDIS_IMAGE, { command: ['--port', String(port)], listening: port });
    const connection = await redisConnection(system, port);
    await expect(ask(system, connection, 'SET k v')).resolves.toBe('+OK');

    await pauseContainer(redis);
    await expect(redis.state()).resolves.toBe('paused');
    const sent = system.mark();
    connection.send('EXISTS k');
    await system.quiescence(); // nothing more happens: decided after a quiet period, the container being live
    expect(system.history.events.filter((e) => e.seq >= sent && e.kind === 'redis.reply')).toEqual([]);

    const reply = system.until('redis.reply', { since: sent });
    await unpauseContainer(redis);
    await expect(reply).resolves.toMatchObject({ data: { line: ':1' } });
    const order = system.history.events.filter((e) => ['container.paused', 'container.unpaused', 'redis.reply'].includes(e.kind) && e.seq >= sent - 1);
    expect(order.map((e) => e.kind)).toEqual(['container.paused', 'container.unpaused', 'redis.reply']);
  });

  test('killed, its clients are cut off and it exits 137; restarted, it serves again from an empty state', docker, async ({ system }) => {
    const port = await system.port();
    const redis = await system.container(REDIS_IMAGE, { command: ['--port', String(port)], listening: port });
    const before = await redisConnection(system, port, 'before');
    await expect(ask(system, before, 'SET k v', 'before')).resolves.toBe('+OK');

    const mark = system.mark();
    await killContainer(redis);
    await expect(system.until({ kind: 'container.exited', data: { exitCode: 137 } }, { since: mark })).resolves.toBeDefined();
    await system.until({ kind: 'redis.closed', source: 'before' }, { since: mark });
    await expect(redis.state()).resolves.toBe('exited');

    await restartContainer(redis); // resolves once port accepts connections again
    const after = await redisConnection(system, port, 'after');
    await expect(ask(system, after, 'EXISTS k', 'after')).resolves.toBe(':0');
    await expect(ask(system, after, 'PING', 'after')).resolves.toBe('+PONG');
    const kinds = system.history.events.filter((e) => e.seq >= mark && e.source === redis.source).map((e) => e.kind);
    expect(kinds).toEqual(['container.killed', 'container.exited', 'container.restarted', 'container.ready']);
  });

  test('stopped, it exits 0 on SIGTERM; started again, it serves', docker, async ({ system }) => {
    const port = await system.port();
    const redis = await system.container(REDIS_IMAGE, { command: ['--port', String(port)], listening: port });
    const mark = system.mark();
    await stopContainer(redis, { grace: 5000 });
    await expect(system.until('container.exited', { since: mark })).resolves.toMatchObject({ data: { exitCode: 0 } });
    await expect(redis.state()).resolves.toBe('exited');
    await startContainer(redis);
    const connection = await redisConnection(system, port);
    await expect(ask(system, connection, 'PING')).resolves.toBe('+PONG');
  });
});
