import type { Random } from '@quiesce/runtime';
import { realDelay } from '@quiesce/runtime/internal';
import { InjectedFault } from '../errors.js';

/**
 * The body faults, as new Responses over the bytes a handler answered with. The status and
 * headers are kept, except Content-Length, which no longer matches the bytes sent.
 */

function headersWithoutLength(response: Response): Headers {
  const headers = new Headers(response.headers);
  headers.delete('content-length');
  return headers;
}

function respond(response: Response, body: ReadableStream<Uint8Array> | Uint8Array): Response {
  return new Response(body, { status: response.status, statusText: response.statusText, headers: headersWithoutLength(response) });
}

/** The body `size` bytes at a time, `delay` real ms apart. */
export function slowBody(response: Response, bytes: Uint8Array, delay: number, size: number): Response {
  let offset = 0;
  const stream = new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (offset > 0) await realDelay(delay);
      controller.enqueue(bytes.slice(offset, offset + size));
      offset += size;
      if (offset >= bytes.length) controller.close();
    },
  });
  return respond(response, bytes.length === 0 ? bytes : stream);
}

/** The first `keep` bytes, then a clean end. */
export function truncatedBody(response: Response, bytes: Uint8Array, keep: number): Response {
  return respond(response, bytes.slice(0, keep));
}

/** What ends a malformed body: a NUL is refused by JSON inside a string and out of one. */
const GARBAGE = new TextEncoder().encode('\u0000\u00ff<malformed');

/** The body cut at a point drawn from `random`, then bytes no parser of JSON accepts. Returns the cut too. */
export function malformedBody(response: Response, bytes: Uint8Array, random: Random): { response: Response; cut: number } {
  const cut = bytes.length === 0 ? 0 : random.int(bytes.length);
  const body = new Uint8Array(cut + GARBAGE.length);
  body.set(bytes.subarray(0, cut));
  body.set(GARBAGE, cut);
  return { response: respond(response, body), cut };
}

/** The first `keep` bytes, then the stream fails as a reset connection would. */
export function resetBody(response: Response, bytes: Uint8Array, keep: number, fault: string): Response {
  let sent = false;
  const stream = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (!sent && keep > 0) {
        sent = true;
        controller.enqueue(bytes.slice(0, keep));
        return;
      }
      controller.error(
        new InjectedFault('disconnect', fault, `chaos: connection reset after ${Math.min(keep, bytes.length)} bytes of the body (${fault})`, 'ECONNRESET'),
      );
    },
  });
  return respond(response, stream);
}
