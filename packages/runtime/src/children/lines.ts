import type { Readable } from 'node:stream';

/**
 * Split a byte stream into text lines (`\n` or `\r\n`), calling `onLine` for each. A final line
 * without a newline is delivered when the stream ends, so a last `ready` before exit is not lost.
 */
export function readLines(stream: Readable, onLine: (line: string) => void): void {
  let pending = '';
  stream.setEncoding('utf8');
  stream.on('data', (chunk: string) => {
    const parts = (pending + chunk).split('\n');
    pending = parts.pop()!;
    for (const part of parts) onLine(stripCr(part));
  });
  stream.on('end', () => {
    if (pending !== '') onLine(stripCr(pending));
    pending = '';
  });
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
