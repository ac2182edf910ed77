// The runnable version of docs/containers.md: a Redis container on a port from the allocator, a
// testcontainers container object with a wait strategy, faults with recovery, and a container
// shared by the file. Tagged `docker`: with `npm test` they run where an engine answers (.ci/run
// starts one) and are skipped, saying why, where none does.
import { connect } from 'node:net';
import { GenericContainer, Wait } from 'testcontainers';
import { expect, killContainer, pauseContainer, restartContainer, sharedContainer, test, unpauseContainer, type TestSystem } from '@quiesce/harness';

const docker = { tags: ['docker'] };

/** One inline Redis command on a fresh connection; resolves with the first reply line. */
function redisCommand(system: TestSystem, port: number, command: string): Promise<string> {
  const reply = new Promise<string>((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port }, () => socket.write(`${command}\r\n`));
    socket.setEncoding('utf8');
    socket.once('data', (chunk: string) => {
      resolve(chunk.split('\r\n')[0]!);
      socket.destroy();
    });
    socket.once('error', reject);
  });
  return system.drive(system.runtime.external(reply), { what: `redis to answer ${command}` });
}

test('a container on a port from system.port()', docker, async ({ system }) => {
  const port = await system.port();
  const redis = await system.container('quiesce/redis:local', { command: ['--port', String(port)], listening: port });
  expect(redis.host).toBe('127.0.0.1');
  expect(await redisCommand(system, port, 'PING')).toBe('+PONG');
  expect(system.history.events.map((e) => e.kind)).toEqual(expect.arrayContaining(['container.starting', 'container.started', 'container.ready']));
});

test("testcontainers' own container and wait strategy", docker, async ({ system }) => {
  const port = await system.port();
  const redis = await system.container(new GenericContainer('quiesce/redis:local').withCommand(['--port', String(port)]).withNetworkMode('host'), {
    wait: Wait.forLogMessage(/Ready to accept connections/),
    listening: port,
  });
  expect(redis.started.getId()).toBe(redis.id);
  expect(await redisCommand(system, port, 'PING')).toBe('+PONG');
});

test('faults through the engine, and recovery', docker, async ({ system }) => {
  const port = await system.port();
  const redis = await system.container('quiesce/redis:local', { command: ['--port', String(port)], listening: port });

  await pauseContainer(redis);
  expect(await redis.state()).toBe('paused');
  await unpauseContainer(redis);
  expect(await redisCommand(system, port, 'PING')).toBe('+PONG');

  expect(await redisCommand(system, port, 'SET k v')).toBe('+OK');
  const mark = system.mark();
  await killContainer(redis);
  await system.until({ kind: 'container.exited', data: { exitCode: 137 } }, { since: mark });
  await restartContainer(redis); // serving again, from an empty state
  expect(await redisCommand(system, port, 'EXISTS k')).toBe(':0');
});

const shared = sharedContainer(
  async ({ port }) => {
    const p = await port();
    return { image: 'quiesce/redis:local', command: ['--port', String(p)], listening: p };
  },
  { reset: async (container, system) => void (await redisCommand(system, container.port!, 'FLUSHALL')) },
);

for (const name of ['first', 'second']) {
  test(`a container shared by the file (${name} user)`, docker, async ({ system }) => {
    const container = await shared.use(system);
    expect(await redisCommand(system, container.port!, 'DBSIZE')).toBe(':0'); // reset between tests
    expect(await redisCommand(system, container.port!, `SET ${name} 1`)).toBe('+OK');
  });
}
