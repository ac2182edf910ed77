/**
 * What the msw helpers keep of a request: its headers (at once) and a bounded copy of its body
 * (read from a clone, so the handler still reads the original).
 */

/** Bodies longer than this are cut here and flagged `bodyTruncated`. */
export const MAX_RECORDED_BODY = 64 * 1024;

/** Credentials are not copied into histories (they end up in CI logs): only the auth scheme is kept. */
const SECRET_HEADERS = new Set(['authorization', 'proxy-authorization', 'cookie']);

/** A request's body as recorded: UTF-8 text, or base64 when the bytes are not text. */
export interface BodySnapshot {
  readonly body?: string;
  readonly bodyEncoding?: 'base64';
  /** True when the body was longer than MAX_RECORDED_BODY bytes and only its start was kept. */
  readonly bodyTruncated?: true;
}

/** Header names (lower case) to values, credentials redacted (`Bearer [redacted]`). */
export function snapshotHeaders(headers: Headers): Record<string, string> {
  const out: Record<string, string> = {};
  headers.forEach((value, name) => {
    out[name] = SECRET_HEADERS.has(name) ? redact(name, value) : value;
  });
  return out;
}

function redact(name: string, value: string): string {
  const scheme = name.endsWith('authorization') ? /^(\S+)\s/.exec(value)?.[1] : undefined;
  return scheme ? `${scheme} [redacted]` : '[redacted]';
}

/**
 * Read up to `limit` bytes of a clone of `request`'s body. Never throws: a body that cannot be
 * cloned or read is recorded as absent. Reading stops (and cancels the clone) at the limit.
 */
export async function snapshotBody(request: Request, limit = MAX_RECORDED_BODY): Promise<BodySnapshot> {
  if (request.body === null) return {};
  let reader: ReadableStreamDefaultReader<Uint8Array> | undefined;
  try {
    const clone = request.clone();
    if (clone.body === null) return {};
    reader = clone.body.getReader();
    const chunks: Uint8Array[] = [];
    let size = 0;
    let truncated = false;
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      size += value.byteLength;
      if (size > limit) {
        truncated = true;
        break;
      }
    }
    if (truncated) void reader.cancel().catch(() => undefined);
    const bytes = concat(chunks, Math.min(size, limit));
    return { ...decode(bytes, truncated), ...(truncated ? { bodyTruncated: true as const } : {}) };
  } catch {
    if (reader) void reader.cancel().catch(() => undefined);
    return {};
  }
}

function concat(chunks: readonly Uint8Array[], length: number): Uint8Array {
  const out = new Uint8Array(length);
  let at = 0;
  for (const chunk of chunks) {
    const part = chunk.subarray(0, length - at);
    out.set(part, at);
    at += part.byteLength;
    if (at >= length) break;
  }
  return out;
}

function decode(bytes: Uint8Array, truncated: boolean): { body: string; bodyEncoding?: 'base64' } {
  try {
    // `stream` tolerates (and drops) a character cut in half at the truncation point.
    return { body: new TextDecoder('utf-8', { fatal: true }).decode(bytes, { stream: truncated }) };
  } catch {
    return { body: Buffer.from(bytes).toString('base64'), bodyEncoding: 'base64' };
  }
}
