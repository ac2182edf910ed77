import { Duplex, type DuplexOptions } from 'node:stream';
import { InvalidOptionError } from '@quiesce/runtime';
import { checkOptions } from '@quiesce/runtime/internal';

/**
 * Tier 1 of the port tiers (docs/architecture.md, "Ports"), the preferred one: no port at all. When the code under test accepts a
 * stream (or a `createConnection` hook), give it one end of an in-memory pair and keep the other:
 * nothing is allocated, nothing can collide, nothing outlives the test, and no real time passes.
 *
 * ```ts
 * const [client, server] = memoryDuplex();
 * handleConnection(server);          // the code under test
 * client.write('PING\r\n');
 * const [reply] = await once(client, 'data');
 * ```
 *
 * The ends behave like the two sockets of a TCP connection: what one writes the other reads, in
 * order; a write's callback runs once the peer has taken the chunk (so backpressure reaches the
 * writer); `end()` is EOF for the peer; `destroy()` is EOF for the peer, whose later writes fail
 * with EPIPE. By default (like net.Socket) an end that reads EOF ends its own writable side too;
 * pass `{ allowHalfOpen: true }` to keep it open.
 */
export function memoryDuplex(options: Pick<DuplexOptions, 'allowHalfOpen' | 'highWaterMark'> = {}): [MemoryDuplex, MemoryDuplex] {
  checkDuplexOptions(options);
  const a = new MemoryDuplex(options);
  const b = new MemoryDuplex(options);
  a.pairWith(b);
  b.pairWith(a);
  return [a, b];
}

/** Checked here so a bad value is a QuiesceError naming it, not a TypeError from node:stream. */
function checkDuplexOptions(options: unknown): void {
  checkOptions('memoryDuplex options', options, ['allowHalfOpen', 'highWaterMark']);
  const { allowHalfOpen, highWaterMark } = options;
  if (allowHalfOpen !== undefined && typeof allowHalfOpen !== 'boolean') {
    throw new InvalidOptionError('memoryDuplex options.allowHalfOpen', allowHalfOpen, 'a boolean');
  }
  if (highWaterMark !== undefined && !(Number.isSafeInteger(highWaterMark) && (highWaterMark as number) >= 0)) {
    throw new InvalidOptionError('memoryDuplex options.highWaterMark', highWaterMark, 'an integer number of bytes >= 0');
  }
}

/** One end of a `memoryDuplex()` pair. */
export class MemoryDuplex extends Duplex {
  #peer: MemoryDuplex | undefined;
  /** The callback of our last write, held until the peer reads (backpressure). */
  #waiting: (() => void) | undefined;
  #eof = false;

  constructor(options: Pick<DuplexOptions, 'allowHalfOpen' | 'highWaterMark'>) {
    super({ allowHalfOpen: false, ...options });
  }

  /** @internal Pair this end with `peer` (memoryDuplex does it). */
  pairWith(peer: MemoryDuplex): void {
    this.#peer = peer;
  }

  override _read(): void {
    // We can take more: let the peer's held write complete.
    this.#peer?.releaseWriter();
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    const peer = this.#peer;
    if (!peer || peer.destroyed || peer.readableEof) {
      callback(epipe());
      return;
    }
    if (peer.push(chunk)) callback();
    else this.#waiting = () => callback();
  }

  override _final(callback: (error?: Error | null) => void): void {
    this.#peer?.endReadable();
    callback();
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    this.#eof = true;
    // Our buffered chunks are gone with us: a write held for our reading completes.
    this.#peer?.releaseWriter();
    this.releaseWriter();
    this.#peer?.endReadable();
    callback(error);
  }

  /** @internal Whether this end's readable side has seen EOF (or the end is destroyed). */
  get readableEof(): boolean {
    return this.#eof;
  }

  /** @internal Complete this end's write that waits for the peer to read. */
  releaseWriter(): void {
    const waiting = this.#waiting;
    this.#waiting = undefined;
    waiting?.();
  }

  /** @internal EOF for this end's readable side. */
  endReadable(): void {
    if (this.#eof || this.destroyed) return;
    this.#eof = true;
    this.push(null);
  }
}

function epipe(): NodeJS.ErrnoException {
  const error: NodeJS.ErrnoException = new Error('write EPIPE: the other end of the memory duplex is closed');
  error.code = 'EPIPE';
  return error;
}
