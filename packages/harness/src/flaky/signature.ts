import type { FailureInfo } from '../report/test-record.js';
import type { Signature } from './model.js';

/** How many top frames a signature compares. */
const SIGNATURE_FRAMES = 3;
const MAX_MESSAGE = 300;

/**
 * A failure's signature: its error name, its first message line with the parts that change from
 * run to run replaced (pids, numbers, hex ids, absolute paths), and its top frames. Failures with
 * one signature are one cluster: the same bug seen several times.
 */
export function signatureOf(failure: FailureInfo, root: string): Signature {
  const message = normaliseMessage(failure.message, root);
  const frames = failure.frames.slice(0, SIGNATURE_FRAMES).map((f) => relativeFrame(f, root));
  const id = fnv1a(`${failure.name}\n${message}\n${frames.join('\n')}`);
  return { id, name: failure.name, message, frames, example: firstLine(failure.message).slice(0, MAX_MESSAGE) };
}

export function normaliseMessage(message: string, root = ''): string {
  let text = firstLine(message);
  if (root) text = text.split(root.endsWith('/') ? root : `${root}/`).join('');
  return (
    text
      .replace(/<\d+\.\d+>/g, '<pid>')
      .replace(/(?:\/[\w.@-]+){2,}/g, '<path>')
      .replace(/0x[0-9a-f]+/gi, '<hex>')
      .replace(/\b(?=[0-9a-f]*[a-f])(?=[0-9a-f]*\d)[0-9a-f]{12,}\b/gi, '<id>')
      // A number on its own or with a unit (12, -3.5, 1e-3, 250ms), not a digit inside a word (worker-1 stays).
      .replace(/(?<![\w.-])[-+]?\d+(?:\.\d+)?(?:e[-+]?\d+)?(?!\d)/gi, '<n>')
      .slice(0, MAX_MESSAGE)
  );
}

function firstLine(message: string): string {
  const line = message.split('\n').find((l) => l.trim() !== '') ?? '';
  return line.trim();
}

function relativeFrame(frame: string, root: string): string {
  const prefix = root.endsWith('/') ? root : `${root}/`;
  const relative = root && frame.startsWith(prefix) ? frame.slice(prefix.length) : frame;
  // A column moves with any edit on the line; the line and function identify the place.
  return relative.replace(/:(\d+):\d+/, ':$1');
}

/** A short stable hash (FNV-1a, 32 bits, 8 hex digits). */
export function fnv1a(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0).toString(16).padStart(8, '0');
}
