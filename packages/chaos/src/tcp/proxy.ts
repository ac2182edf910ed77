import { createConnection, createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { InvalidOptionError, QuiesceError, type Random, type Runtime } from '@quiesce/runtime';
import { checkOptions } from '@quiesce/runtime/internal';
import type { ArmedFault, Fault } from '../fault.js';
import { FAULT_KINDS } from '../kinds.js';
import { checkInteger, checkName } from '../options.js';
import { Connection, type CloseCause } from './connection.js';
import { describeToxic, parseToxic, type ToxicOptions, type ToxicSpec, type ToxicType } from './toxics.js';

export interface TcpProxyOptions {
  /** Where connections go: a port on 127.0.0.1, or { host, port } with a loopback host. */
  upstream: number | { host: string; port: number };
  /** Names the proxy in events. Default `tcp:<upstream port>`. */
  label?: string;
}

const LOOPBACK = ['127.0.0.1', '::1', 'localhost'];

type Arm = (type: string, target: string, options: Record<string, unknown>, onHeal: () => void) => ArmedFault;

interface Toxic {
  readonly fault: ArmedFault;
  readonly spec: ToxicSpec;
  affected: number;
}

/**
 * An in-process TCP fault proxy on 127.0.0.1, Toxiproxy's model without its server: connect to
 * `proxy.port` instead of the upstream, add toxics per direction with a toxicity (the share of
 * connections affected, drawn per connection from the seed), take the proxy down and up. Each
 * toxic is a Fault: `heal()` removes it. See docs/chaos.md.
 */
export class TcpProxy {
  readonly host = '127.0.0.1';
  readonly label: string;
  readonly upstream: { readonly host: string; readonly port: number };
  readonly #runtime: Runtime;
  readonly #random: Random;
  readonly #arm: Arm;
  readonly #server: Server;
  readonly #connections = new Set<Connection>();
  readonly #toxics: Toxic[] = [];
  #port = 0;
  #nextConnection = 1;
  #down = false;
  #closed = false;

  /** @internal use chaos(system).tcpProxy(options). */
  constructor(runtime: Runtime, random: Random, arm: Arm, options: { upstream: { host: string; port: number }; label: string }) {
    this.#runtime = runtime;
    this.#random = random;
    this.#arm = arm;
    this.upstream = options.upstream;
    this.label = options.label;
    // Half-open both ways: a client that ends its side still gets the answer, as through Toxiproxy.
    this.#server = createServer({ allowHalfOpen: true }, (client) => this.#accept(client));
  }

  /** The port it listens on (bound 0 on 127.0.0.1: the kernel chose it). */
  get port(): number {
    return this.#port;
  }

  /** Connections open now. */
  get connections(): number {
    return this.#connections.size;
  }

  get isDown(): boolean {
    return this.#down;
  }

  /** Listening, or holding an open connection. */
  alive(): boolean {
    return this.#server.listening || this.#connections.size > 0;
  }

  /** @internal */
  async listen(port = 0): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      const onError = (error: Error): void => reject(error);
      this.#server.once('error', onError);
      this.#server.listen({ port, host: this.host, exclusive: true }, () => {
        this.#server.off('error', onError);
        resolve();
      });
    });
    this.#port = (this.#server.address() as AddressInfo).port;
  }

  /**
   * Add a toxic (Toxiproxy's attributes, in milliseconds). It takes connections opened from now on:
   * which ones then depends only on the seed and the order of connections, never on how far the
   * open ones have got. (`down()` closes open connections.)
   */
  toxic<T extends ToxicType>(type: T, options: ToxicOptions<T>): Fault {
    this.#assertOpen('toxic');
    const spec = parseToxic(type, options);
    const toxic: Toxic = { spec, affected: 0, fault: undefined as unknown as ArmedFault };
    const fault = this.#arm(`tcp_${spec.type}`, this.label, describeToxic(spec), () => {
      this.#toxics.splice(this.#toxics.indexOf(toxic), 1);
      for (const conn of this.#connections) conn.release(toxic);
    });
    (toxic as { fault: ArmedFault }).fault = fault;
    this.#toxics.push(toxic);
    return fault;
  }

  /** Take the proxy down: stop listening (connecting is refused) and close every open connection. */
  async down(): Promise<void> {
    this.#assertOpen('down');
    if (this.#down) return;
    this.#down = true;
    this.#runtime.record(FAULT_KINDS.tcp, this.label, { action: 'down', connections: this.#connections.size });
    for (const conn of [...this.#connections]) conn.close('down');
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  /** Bring it back up on the same port. */
  async up(): Promise<void> {
    this.#assertOpen('up');
    if (!this.#down) return;
    try {
      await this.listen(this.#port);
    } catch (error) {
      throw new QuiesceError('PORT_EXHAUSTED', `${this.label}: up(): port ${this.#port} was taken while the proxy was down: ${(error as Error).message}`, {
        port: this.#port,
      });
    }
    this.#down = false;
    this.#runtime.record(FAULT_KINDS.tcp, this.label, { action: 'up' });
  }

  /** Close everything (the toxics stay armed, but nothing flows). Teardown does it. Idempotent. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    for (const conn of [...this.#connections]) conn.close('closed');
    if (this.#server.listening) await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  #accept(client: Socket): void {
    const id = this.#nextConnection++;
    client.pause();
    const upstream = createConnection({ host: this.upstream.host, port: this.upstream.port, allowHalfOpen: true, noDelay: true });
    client.setNoDelay(true); // transparent: no Nagle delay the direct connection would not have
    const conn = new Connection(id, client, upstream, this.#random.fork(`conn${id}`), (cause) => this.#closedConnection(conn, cause));
    this.#connections.add(conn);
    upstream.once('connect', () => client.resume());
    for (const toxic of this.#toxics) this.#maybeHold(conn, toxic);
  }

  #maybeHold(conn: Connection, toxic: Toxic): void {
    const { spec, fault } = toxic;
    if (!fault.active || toxic.affected >= spec.count) return;
    if (spec.toxicity < 1 && !fault.random.bool(spec.toxicity)) return;
    toxic.affected++;
    fault.fire(FAULT_KINDS.tcp, { action: 'toxic', connection: conn.id, toxic: spec.type, direction: spec.direction });
    conn.hold(toxic, spec);
  }

  #closedConnection(conn: Connection, cause: CloseCause): void {
    this.#connections.delete(conn);
    if (cause === 'timeout' || cause === 'limit_data' || cause === 'reset_peer') {
      this.#runtime.record(FAULT_KINDS.tcp, this.label, { action: cause, connection: conn.id });
    }
  }

  #assertOpen(operation: string): void {
    if (this.#closed) throw new QuiesceError('AFTER_TEARDOWN', `${this.label}: ${operation}: the proxy is closed`, { operation });
  }
}

/** Check a proxy's options: the upstream is on loopback (chaos stays on 127.0.0.1). */
export function parseProxyOptions(options: unknown): { upstream: { host: string; port: number }; label: string } {
  checkOptions('tcpProxy options', options, ['upstream', 'label']);
  const o = options as unknown as TcpProxyOptions;
  let upstream: { host: string; port: number };
  if (typeof o.upstream === 'number') upstream = { host: '127.0.0.1', port: o.upstream };
  else {
    checkOptions('tcpProxy options.upstream', o.upstream, ['host', 'port']);
    if (!LOOPBACK.includes(o.upstream.host)) {
      throw new InvalidOptionError('tcpProxy options.upstream.host', o.upstream.host, "a loopback host: '127.0.0.1', '::1' or 'localhost'");
    }
    upstream = { host: o.upstream.host, port: o.upstream.port };
  }
  const port = checkInteger(typeof o.upstream === 'number' ? 'tcpProxy options.upstream' : 'tcpProxy options.upstream.port', upstream.port, 1);
  if (port > 65535) throw new InvalidOptionError('tcpProxy options.upstream', port, 'a port from 1 to 65535');
  const label = o.label === undefined ? `tcp:${port}` : checkName('tcpProxy options.label', o.label);
  return { upstream, label };
}
