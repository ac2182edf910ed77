import { once } from 'node:events';
import type { Socket } from 'node:net';
import type { Random } from '@quiesce/runtime';
import { realDelay, realNow, realTimer } from '@quiesce/runtime/internal';
import type { Direction, ToxicSpec } from './toxics.js';

/** A toxic as one connection holds it: its spec, and the draws of this connection. */
export interface HeldToxic {
  readonly key: object;
  readonly spec: ToxicSpec;
}

/** Unread bytes a direction holds before it pauses its source (and resumes below a quarter of it). */
const HIGH_WATER = 1 << 20;

export type CloseCause = 'timeout' | 'limit_data' | 'reset_peer' | 'down' | 'closed';

/**
 * One proxied connection: the client's socket, the upstream socket, and one flow per direction
 * through the toxics the connection holds. Order within a direction is kept: chunks go through
 * the toxics one at a time.
 */
export class Connection {
  readonly id: number;
  readonly client: Socket;
  readonly upstream: Socket;
  readonly #random: Random;
  readonly #toxics = new Map<object, HeldToxic>();
  readonly #stop = new AbortController();
  readonly #cancels = new Set<() => void>();
  readonly #onClose: (cause: CloseCause) => void;
  #closed = false;

  constructor(id: number, client: Socket, upstream: Socket, random: Random, onClose: (cause: CloseCause) => void) {
    this.id = id;
    this.client = client;
    this.upstream = upstream;
    this.#random = random;
    this.#onClose = onClose;
    this.#flow(client, upstream, 'upstream');
    this.#flow(upstream, client, 'downstream');
    // An error (a reset) ends both sides at once; a clean close waits for the other side, whose
    // flow may still be passing held data on (latency, slow_close).
    let open = 2;
    for (const socket of [client, upstream]) {
      socket.on('error', () => this.close('closed'));
      socket.on('close', () => {
        if (--open === 0) this.close('closed');
      });
    }
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** Hold a toxic from now on; timeouts and resets start their clocks. */
  hold(key: object, spec: ToxicSpec): void {
    this.#toxics.set(key, { key, spec });
    if (spec.type === 'timeout' && spec.ms > 0) this.#after(spec.ms, () => this.close('timeout'));
    // At once means at once: before the client's first byte is read, so the outcome never races the data.
    if (spec.type === 'reset_peer') {
      if (spec.ms === 0) this.reset(spec.direction);
      else this.#after(spec.ms, () => this.reset(spec.direction));
    }
  }

  release(key: object): void {
    this.#toxics.delete(key);
  }

  /** TCP RST towards the client (downstream) or the server (upstream); the other side is closed. */
  reset(direction: Direction): void {
    if (this.#closed) return;
    const [rst, other] = direction === 'downstream' ? [this.client, this.upstream] : [this.upstream, this.client];
    this.#finish('reset_peer');
    rst.resetAndDestroy();
    other.destroy();
  }

  close(cause: CloseCause): void {
    if (this.#closed) return;
    this.#finish(cause);
    this.client.destroy();
    this.upstream.destroy();
  }

  #finish(cause: CloseCause): void {
    this.#closed = true;
    this.#stop.abort();
    for (const cancel of this.#cancels) cancel();
    this.#cancels.clear();
    this.#onClose(cause);
  }

  #after(ms: number, fn: () => void): void {
    const cancel = realTimer(ms, () => {
      this.#cancels.delete(cancel);
      fn();
    });
    this.#cancels.add(cancel);
  }

  #of(direction: Direction, type: ToxicSpec['type']): ToxicSpec[] {
    const out: ToxicSpec[] = [];
    for (const { spec } of this.#toxics.values()) if (spec.direction === direction && spec.type === type) out.push(spec);
    return out;
  }

  #flow(src: Socket, dst: Socket, direction: Direction): void {
    let tail = Promise.resolve();
    let queued = 0;
    let passed = 0;
    src.on('data', (chunk: Buffer) => {
      // Fast path: no toxic and nothing queued ahead of this chunk, so order holds without the queue.
      if (queued === 0 && this.#toxics.size === 0) {
        passed += chunk.length;
        if (!dst.write(chunk)) {
          src.pause();
          dst.once('drain', () => src.resume());
        }
        return;
      }
      const arrival = realNow();
      queued += chunk.length;
      if (queued > HIGH_WATER) src.pause();
      tail = tail
        .then(async () => {
          if (this.#closed) return;
          // timeout: nothing passes while the toxic is held.
          if (this.#of(direction, 'timeout').length > 0) return;
          let data = chunk;
          let limit: number | undefined;
          for (const spec of this.#of(direction, 'limit_data')) limit = Math.min(limit ?? spec.bytes, spec.bytes);
          if (limit !== undefined && passed + data.length >= limit) data = data.subarray(0, Math.max(0, limit - passed));
          for (const spec of this.#of(direction, 'latency')) {
            const jitter = spec.jitter > 0 ? this.#random.next() * spec.jitter : 0;
            await this.#wait(arrival + spec.latency + jitter - realNow());
          }
          for (const spec of this.#of(direction, 'bandwidth')) await this.#wait(data.length / spec.bytesPerMs);
          const slicers = this.#of(direction, 'slicer');
          const pieces = slicers.length > 0 ? this.#slice(data, slicers[0]!) : [data];
          for (const [i, piece] of pieces.entries()) {
            if (this.#closed) return;
            if (i > 0) await this.#wait(slicers[0]!.sliceDelay);
            passed += piece.length;
            if (!dst.write(piece)) await Promise.race([once(dst, 'drain'), once(dst, 'close')]);
          }
          if (limit !== undefined && passed >= limit) {
            // What passed is flushed first (end, not destroy), then the connection closes.
            await new Promise<void>((resolve) => dst.end(resolve));
            this.close('limit_data');
          }
        })
        .finally(() => {
          queued -= chunk.length;
          if (queued < HIGH_WATER / 4 && src.isPaused()) src.resume();
        });
    });
    src.on('end', () => {
      tail = tail.then(async () => {
        // timeout holds the end of stream too: the connection stays open until the toxic closes it.
        if (this.#closed || this.#of(direction, 'timeout').length > 0) return;
        let delay = 0;
        for (const spec of this.#of(direction, 'slow_close')) delay = Math.max(delay, spec.ms);
        await this.#wait(delay);
        if (!this.#closed) dst.end();
      });
    });
  }

  #slice(data: Buffer, spec: ToxicSpec): Buffer[] {
    const pieces: Buffer[] = [];
    for (let at = 0; at < data.length; ) {
      const size = Math.max(1, spec.averageSize + (spec.sizeVariation > 0 ? this.#random.between(-spec.sizeVariation, spec.sizeVariation) : 0));
      pieces.push(data.subarray(at, at + size));
      at += size;
    }
    return pieces;
  }

  async #wait(ms: number): Promise<void> {
    if (ms > 0) await realDelay(ms, this.#stop.signal);
  }
}
