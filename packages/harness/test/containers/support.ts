import { connect, type Socket } from 'node:net';
import type { TestSystem } from '@quiesce/harness';
import type { HistoryEvent } from '@quiesce/runtime';
import { containerEngine, INSTANCE_LABEL } from '../../src/containers/index.js';

/** The image scripts/container-images.sh builds from the machine's redis-server. */
export const REDIS_IMAGE = 'quiesce/redis:local';
/** The image with only sh and sleep. */
export const SHELL_IMAGE = 'quiesce/shell:local';

/**
 * A Redis connection for tests, speaking inline commands (`PING`, `SET k v`, `EXISTS k`): every
 * reply line is recorded as `redis.reply` { line }, the connection's end as `redis.closed`. The
 * socket is owned by the system (destroyed at teardown) and is a live external source while open.
 */
export async function redisConnection(system: TestSystem, port: number, name = 'redis'): Promise<{ send(command: string): void; socket: Socket }> {
  const socket = connect({ host: '127.0.0.1', port });
  system.own({
    kind: 'socket',
    label: `${name} connection to 127.0.0.1:${port}`,
    dispose: () => void socket.destroy(),
    alive: () => !socket.destroyed,
    external: () => !socket.destroyed,
  });
  let pending = '';
  socket.setEncoding('utf8');
  socket.on('data', (chunk: string) => {
    const lines = (pending + chunk).split('\r\n');
    pending = lines.pop() ?? '';
    for (const line of lines) system.record('redis.reply', name, { line });
  });
  socket.on('error', () => undefined);
  socket.once('close', () => system.record('redis.closed', name, { port }));
  const connected = new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
  await system.drive(connected, { what: `a connection to redis on ${port}` });
  return { socket, send: (command) => void socket.write(`${command}\r\n`) };
}

/** Send `command` and wait for its one-line reply (a wait on the history, from before the send). */
export async function ask(system: TestSystem, connection: { send(command: string): void }, command: string, name = 'redis'): Promise<string> {
  const mark = system.mark();
  connection.send(command);
  const reply = await system.until((e: HistoryEvent) => e.kind === 'redis.reply' && e.source === name, { since: mark });
  return (reply.data as { line: string }).line;
}

/** The containers the engine has with this instance label (the engine's view, not the handle's). */
export async function containersLabelled(label: string): Promise<string[]> {
  const engine = await containerEngine();
  const found = await engine.client.container.dockerode.listContainers({ all: true, filters: { label: [label] } });
  return found.map((c) => c.Id);
}

/** The engine's containers for one handle's instance label. */
export function containersOf(handle: { instance: string }): Promise<string[]> {
  return containersLabelled(`${INSTANCE_LABEL}=${handle.instance}`);
}
