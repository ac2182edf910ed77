import { describe, expect } from 'vitest';
import { test, type TestSystem } from '@quiesce/harness';
import { InvalidOptionError, type HistoryEvent } from '@quiesce/runtime';
import { chaos, containerProxy, FAULT_KINDS } from '@quiesce/chaos';
import { ask, REDIS_IMAGE, redisConnection } from '../../harness/test/containers/support.js';

const docker = { tags: ['docker'] };

/** A Redis container on a port of the system's, fronted by chaos's TCP proxy. */
async function proxiedRedis(system: TestSystem) {
  const port = await system.port();
  const redis = await system.container(REDIS_IMAGE, { command: ['--port', String(port)], listening: port, label: 'redis' });
  const proxy = await containerProxy(chaos(system), redis);
  return { redis, proxy };
}

/** The proxy's own events (`fault.tcp` under its label), as their `action`s. */
function proxyActions(system: TestSystem, label: string, since = 0): string[] {
  return system.history.events
    .filter((e) => e.kind === FAULT_KINDS.tcp && e.source === label && e.seq >= since)
    .map((e) => (e.data as { action: string }).action);
}

describe('network faults between a client and a container, through the in-process TCP proxy', () => {
  test('latency: the client gets its replies through the delayed connection; healed, new connections are direct', docker, async ({ system }) => {
    const { redis, proxy } = await proxiedRedis(system);
    expect(proxy.label).toBe(`container:redis:${redis.port}`);
    expect(proxy.upstream).toEqual({ host: '127.0.0.1', port: redis.port });

    const latency = proxy.toxic('latency', { latency: 150 });
    const mark = system.mark();
    const slow = await redisConnection(system, proxy.port, 'slow');
    await expect(ask(system, slow, 'SET k v', 'slow')).resolves.toBe('+OK');
    // The toxic took the connection before its reply came back through it.
    const kinds = system.history.events
      .filter((e) => e.seq >= mark && ((e.kind === FAULT_KINDS.tcp && e.source === proxy.label) || e.kind === 'redis.reply'))
      .map((e) => (e.kind === 'redis.reply' ? 'reply' : (e.data as { action: string; toxic?: string }).toxic));
    expect(kinds).toEqual(['latency', 'reply']);

    latency.heal();
    const healed = system.mark();
    const direct = await redisConnection(system, proxy.port, 'direct');
    await expect(ask(system, direct, 'GET k', 'direct')).resolves.toBe('$1');
    expect(proxyActions(system, proxy.label, healed)).toEqual([]); // no toxic took it
    const armed = system.history.events.filter((e) => (e.kind === FAULT_KINDS.arm || e.kind === FAULT_KINDS.heal) && e.source === proxy.label);
    expect(armed.map((e) => e.kind)).toEqual([FAULT_KINDS.arm, FAULT_KINDS.heal]);
  });

  test('reset_peer: the client is cut off with a reset; healed, it reconnects and finds the data the container kept', docker, async ({ system }) => {
    const { proxy } = await proxiedRedis(system);
    const before = await redisConnection(system, proxy.port, 'before');
    await expect(ask(system, before, 'SET k kept', 'before')).resolves.toBe('+OK');

    const reset = proxy.toxic('reset_peer', { timeout: 0 });
    const mark = system.mark();
    const cut = await redisConnection(system, proxy.port, 'cut').catch(() => undefined); // a reset may beat the connect
    cut?.send('PING');
    await system.until({ kind: 'redis.closed', source: 'cut' }, { since: mark });
    expect(system.history.events.some((e) => e.seq >= mark && e.kind === 'redis.reply' && e.source === 'cut')).toBe(false);
    expect(proxyActions(system, proxy.label, mark)).toEqual(['toxic', 'reset_peer']);
    // Connections opened before the toxic are not taken: the one from before still works.
    await expect(ask(system, before, 'PING', 'before')).resolves.toBe('+PONG');

    reset.heal();
    const again = await redisConnection(system, proxy.port, 'again');
    await expect(ask(system, again, 'GET k', 'again')).resolves.toBe('$4');
  });

  test('down: open connections are closed and new ones refused; up, clients reconnect on the same port', docker, async ({ system }) => {
    const { proxy } = await proxiedRedis(system);
    const client = await redisConnection(system, proxy.port, 'client');
    await expect(ask(system, client, 'SET k v', 'client')).resolves.toBe('+OK');

    const mark = system.mark();
    await proxy.down();
    await system.until({ kind: 'redis.closed', source: 'client' }, { since: mark });
    await expect(redisConnection(system, proxy.port, 'refused')).rejects.toThrow(/ECONNREFUSED/);

    await proxy.up();
    const back = await redisConnection(system, proxy.port, 'back');
    await expect(ask(system, back, 'EXISTS k', 'back')).resolves.toBe(':1');
    expect(proxyActions(system, proxy.label, mark)).toEqual(['down', 'up']);
    const down = system.history.events.find((e: HistoryEvent) => e.seq >= mark && e.kind === FAULT_KINDS.tcp);
    expect(down?.data).toMatchObject({ action: 'down', connections: 1 });
  });
});

describe('containerProxy options', () => {
  const container = { host: '127.0.0.1', port: 6379, source: 'container:redis' };

  test('bad containers and options are InvalidOptionErrors naming them, with nothing started', async ({ system }) => {
    const c = chaos(system);
    await expect(containerProxy(c, null as never)).rejects.toThrow('containerProxy(container)');
    await expect(containerProxy(c, { ...container, port: undefined })).rejects.toThrow('started without `listening`');
    await expect(containerProxy(c, container, { port: 70_000 })).rejects.toThrow('containerProxy options.port');
    await expect(containerProxy(c, container, { prot: 1 } as never)).rejects.toThrow("did you mean 'port'");
    await expect(containerProxy(c, container, { label: '' })).rejects.toThrow('containerProxy options.label');
    await expect(containerProxy(c, { ...container, host: '172.17.0.2' })).rejects.toThrow(InvalidOptionError);
    await expect(containerProxy(c, { ...container, host: '172.17.0.2' })).rejects.toThrow('loopback');
    expect(system.history.events.filter((e) => e.kind.startsWith('fault.'))).toEqual([]);
  });

  test('without a container engine: a proxy in front of any loopback port, named after the container', async ({ system }) => {
    const proxy = await containerProxy(chaos(system), container, { port: 6380 });
    expect(proxy.label).toBe('container:redis:6380');
    expect(proxy.upstream).toEqual({ host: '127.0.0.1', port: 6380 });
    const named = await containerProxy(chaos(system), container, { label: 'cache' });
    expect(named.label).toBe('cache');
  });
});

// Toxiproxy's own server, where its testcontainers module is installed (it is not here: its image
// is pulled from ghcr.io, and this machine has no registry). The in-process proxy above is the
// same model without the extra container.
const TOXIPROXY = '@testcontainers/toxiproxy';
const TOXIPROXY_IMAGE = 'ghcr.io/shopify/toxiproxy:2.12.0';

interface ToxiproxyModule {
  ToxiProxyContainer: new (
    image: string,
  ) => {
    start(): Promise<{
      createProxy(o: { name: string; upstream: string }): Promise<{
        host: string;
        port: number;
        instance: { addToxic(t: { type: string; name: string; stream: string; toxicity: number; attributes: object }): Promise<{ remove(): Promise<void> }> };
      }>;
      stop(): Promise<unknown>;
    }>;
  };
}

test('Toxiproxy, where its module is installed: a latency toxic between a client and the Redis container', docker, async ({ system, skip }) => {
  const loaded = await import(/* @vite-ignore */ TOXIPROXY).then(
    (m: unknown) => m as ToxiproxyModule,
    (error: { code?: string }) => {
      if (error.code === 'ERR_MODULE_NOT_FOUND') return undefined;
      throw error;
    },
  );
  if (!loaded)
    return skip(`the optional module '${TOXIPROXY}' is not installed: npm install -D ${TOXIPROXY} (its image ${TOXIPROXY_IMAGE} must be pullable or loaded)`);
  const port = await system.port();
  await system.container(REDIS_IMAGE, { command: ['--port', String(port)], listening: port, label: 'redis' });
  const toxiproxy = await new loaded.ToxiProxyContainer(TOXIPROXY_IMAGE).start();
  system.own({ kind: 'container', label: 'toxiproxy', dispose: () => toxiproxy.stop().then(() => undefined), alive: () => false });
  const proxy = await toxiproxy.createProxy({ name: 'redis', upstream: `127.0.0.1:${port}` });
  const toxic = await proxy.instance.addToxic({ type: 'latency', name: 'slow', stream: 'downstream', toxicity: 1, attributes: { latency: 100 } });
  system.record('toxiproxy.toxic', 'toxiproxy', { type: 'latency', latency: 100 });
  const client = await redisConnection(system, proxy.port, 'client');
  await expect(ask(system, client, 'PING', 'client')).resolves.toBe('+PONG');
  await toxic.remove();
  await expect(ask(system, client, 'PING', 'client')).resolves.toBe('+PONG');
});
