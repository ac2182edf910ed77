import { Readable } from 'node:stream';

/**
 * The streams `toYield` reads, behind one interface: each `next()` resolves on the stream's own
 * event (a `data`/`end`/`error` event, an iterator step), never by polling.
 */

/** One step of a stream. */
export type Step = { kind: 'chunk'; value: unknown } | { kind: 'end' } | { kind: 'error'; error: unknown } | { kind: 'closed' };

export interface ChunkSource {
  /** What it reads, for messages: `a Readable (object mode)`, `an async iterable`. */
  readonly description: string;
  /** The next step; call again only after the previous one resolved. */
  next(): Promise<Step>;
  /** Stop reading. `failed`: the assertion failed, so the producer may be told to stop. */
  release(failed: boolean): void;
}

export function isReadableLike(value: unknown): value is Readable {
  if (value instanceof Readable) return true;
  const v = value as Partial<Readable> | null;
  if (typeof v !== 'object' || v === null) return false;
  return typeof v.on === 'function' && typeof v.pause === 'function' && typeof v.read === 'function' && 'readableEnded' in v;
}

export function isAsyncIterable(value: unknown): value is AsyncIterable<unknown> {
  return typeof value === 'object' && value !== null && typeof (value as { [Symbol.asyncIterator]?: unknown })[Symbol.asyncIterator] === 'function';
}

/**
 * A Readable read through its `data` events, which keep the chunks as the producer pushed them
 * (its async iterator would join byte chunks that arrive together). Listening makes it flow;
 * `release` pauses it again, so chunks after the ones asserted stay buffered for the test.
 */
export function readableSource(stream: Readable): ChunkSource {
  const queue: Step[] = [];
  let waiting: ((step: Step) => void) | undefined;
  let final: Step | undefined;
  const deliver = (step: Step): void => {
    if (final) return;
    if (step.kind !== 'chunk') final = step;
    if (waiting) {
      const resolve = waiting;
      waiting = undefined;
      resolve(step);
    } else queue.push(step);
  };
  const onData = (value: unknown): void => deliver({ kind: 'chunk', value });
  const onEnd = (): void => deliver({ kind: 'end' });
  const onError = (error: unknown): void => deliver({ kind: 'error', error });
  const onClose = (): void => deliver(stream.readableEnded ? { kind: 'end' } : stream.errored ? { kind: 'error', error: stream.errored } : { kind: 'closed' });
  if (stream.readableEnded) deliver({ kind: 'end' });
  else if (stream.errored) deliver({ kind: 'error', error: stream.errored });
  else if (stream.destroyed) deliver({ kind: 'closed' });
  else {
    stream.on('data', onData);
    stream.on('end', onEnd);
    stream.on('error', onError);
    stream.on('close', onClose);
  }
  return {
    description: `a Readable${stream.readableObjectMode ? ' (object mode)' : ''}`,
    next: () => {
      const step = queue.shift() ?? final;
      if (step) return Promise.resolve(step);
      return new Promise<Step>((resolve) => (waiting = resolve));
    },
    release: () => {
      stream.off('data', onData);
      stream.off('end', onEnd);
      stream.off('error', onError);
      stream.off('close', onClose);
      if (!stream.readableEnded && !stream.destroyed) stream.pause();
    },
  };
}

/** An async iterable (an async generator, a Web ReadableStream) read one `next()` at a time. */
export function iterableSource(iterable: AsyncIterable<unknown>): ChunkSource {
  const iterator = iterable[Symbol.asyncIterator]();
  return {
    description: 'an async iterable',
    next: () =>
      iterator.next().then(
        (result): Step => (result.done ? { kind: 'end' } : { kind: 'chunk', value: result.value }),
        (error: unknown): Step => ({ kind: 'error', error }),
      ),
    release: (failed) => {
      // A failed assertion tells the producer to stop (a generator runs its `finally`).
      if (failed) void Promise.resolve(iterator.return?.()).catch(() => undefined);
    },
  };
}
