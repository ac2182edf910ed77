import type { Readable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';

/**
 * Split a byte stream into text lines (`\n` or `\r\n`), calling `onLine` for each. A final line
 * without a newline is delivered when the stream ends, so a last `ready` before exit is not lost.
 */
export function readLines(stream: Readable, onLine: (line: string) => void): void {
  const splitter = new LineSplitter(onLine);
  stream.on('data', (chunk: string | Uint8Array) => splitter.push(chunk));
  stream.on('end', () => splitter.end());
}

/**
 * Splits chunks of text or bytes into lines (`\n` or `\r\n`) without touching the stream's own
 * encoding, so a caller can watch a stream it does not own. A last line without a newline is
 * delivered by `end()`, so a final `ready` before exit is not lost.
 */
export class LineSplitter {
  readonly #decoder = new StringDecoder('utf8');
  readonly #onLine: (line: string) => void;
  #pending = '';

  constructor(onLine: (line: string) => void) {
    this.#onLine = onLine;
  }

  push(chunk: string | Uint8Array): void {
    const text = typeof chunk === 'string' ? chunk : this.#decoder.write(Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength));
    const parts = (this.#pending + text).split('\n');
    this.#pending = parts.pop()!;
    for (const part of parts) this.#onLine(stripCr(part));
  }

  end(): void {
    const rest = this.#pending + this.#decoder.end();
    this.#pending = '';
    if (rest !== '') this.#onLine(stripCr(rest));
  }
}

/** Keep only the last `max` characters of a stream's text (stderr, for error messages). */
export function keepTail(stream: Readable, max: number): () => string {
  let tail = '';
  stream.setEncoding('utf8');
  stream.on('data', (chunk: string) => {
    tail = (tail + chunk).slice(-max);
  });
  return () => tail;
}

function stripCr(line: string): string {
  return line.endsWith('\r') ? line.slice(0, -1) : line;
}
