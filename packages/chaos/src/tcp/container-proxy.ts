import { InvalidOptionError } from '@quiesce/runtime';
import { checkOptions } from '@quiesce/runtime/internal';
import { checkInteger, checkName } from '../options.js';
import type { TcpProxy, TcpProxyOptions } from './proxy.js';

/** What `containerProxy` needs of `chaos(system)`: its TCP proxy, owned by the system. */
export interface ProxyMaker {
  tcpProxy(options: TcpProxyOptions): Promise<TcpProxy>;
}

/**
 * The parts of a container chaos reads: @quiesce/harness's ContainerHandle (from
 * `system.container()` or `sharedContainer().use()`) has them. Declared here, structurally, so
 * chaos does not depend on the harness's container code (nor on testcontainers).
 */
export interface ProxiedContainer {
  /** Where the engine exposes it: 127.0.0.1 with host networking (the default for an image name). */
  readonly host: string;
  /** The port it was started `listening` on, if any. */
  readonly port: number | undefined;
  /** Its history source, `container:<label>`: the proxy is named after it. */
  readonly source: string;
}

export interface ContainerProxyOptions {
  /** The container's port to front. Default: the port it was started `listening` on. */
  port?: number;
  /** Names the proxy in events. Default `<container source>:<port>` (`container:redis:6379`). */
  label?: string;
}

/**
 * Front a container's port with chaos's in-process TCP proxy: clients connect to `proxy.port`
 * instead of the container's, and the proxy's toxics (latency, reset_peer, timeout, ...) and
 * `down()`/`up()` are network faults between them and the container, drawn from the test's seed
 * and recorded in its history (`fault.arm`, `fault.tcp`, `fault.heal`, under the proxy's label).
 * The container itself is untouched: its lifecycle faults (pause, kill, restart) are the engine's.
 * The proxy is owned by the system and closed at teardown.
 *
 * ```ts
 * const redis = await system.container('quiesce/redis:local', { command: ['--port', String(port)], listening: port });
 * const proxy = await containerProxy(chaos(system), redis);
 * proxy.toxic('latency', { latency: 200 }); // clients of proxy.port now wait 200 ms per reply
 * ```
 */
export async function containerProxy(chaos: ProxyMaker, container: ProxiedContainer, options: ContainerProxyOptions = {}): Promise<TcpProxy> {
  checkOptions('containerProxy options', options, ['port', 'label']);
  if (typeof container !== 'object' || container === null || typeof container.source !== 'string' || typeof container.host !== 'string') {
    throw new InvalidOptionError('containerProxy(container)', container, 'a container from system.container() or sharedContainer().use()');
  }
  const given = options.port ?? container.port;
  if (given === undefined) {
    throw new InvalidOptionError(
      'containerProxy options.port',
      undefined,
      `a port of ${container.source} (it was started without \`listening\`, so name the port)`,
    );
  }
  const port = checkInteger('containerProxy options.port', given, 1);
  if (port > 65535) throw new InvalidOptionError('containerProxy options.port', port, 'a port from 1 to 65535');
  const label = options.label === undefined ? `${container.source}:${port}` : checkName('containerProxy options.label', options.label);
  if (!['127.0.0.1', '::1', 'localhost'].includes(container.host)) {
    throw new InvalidOptionError(
      'containerProxy(container)',
      `${container.source} at ${container.host}`,
      'a container reached on loopback (host networking, the default for an image name): the proxy stays on 127.0.0.1',
    );
  }
  return chaos.tcpProxy({ upstream: { host: container.host, port }, label });
}
