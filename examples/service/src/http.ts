import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { badRequest, ServiceError } from './errors.js';
import { StoreUnavailableError } from './resp.js';
import type { SessionService } from './sessions.js';

export const MAX_BODY = 64 * 1024;

/**
 * The HTTP API over a SessionService:
 *
 *   POST   /sessions                      201 { id, expiresAt }
 *   POST   /sessions/:id/exec  { code }   200 { stdout, error? }
 *   GET    /sessions/:id/state            200 { vars }
 *   PUT    /sessions/:id/state { vars }   204
 *   GET    /sessions/:id/files            200 { files }
 *   GET    /sessions/:id/files/:name      200 text
 *   DELETE /sessions/:id                  204
 *   GET    /health                        200 { ok: true } when Redis answers, else 503
 *
 * Errors are JSON `{ error, code }`: 4xx for the caller's mistakes, 503 STORE_UNAVAILABLE while Redis
 * cannot be reached (nothing was acknowledged; retry).
 */
export function createHttpServer(sessions: SessionService): Server {
  return createServer((req, res) => {
    handle(sessions, req, res).catch((error: unknown) => sendError(res, error));
  });
}

async function handle(sessions: SessionService, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://service');
  const parts = url.pathname.split('/').filter(Boolean).map(decodeURIComponent);
  const method = req.method ?? 'GET';
  if (url.pathname === '/health') {
    allow(method, ['GET']);
    await sessions.ping();
    return send(res, 200, { ok: true });
  }
  if (parts[0] !== 'sessions') throw new ServiceError(404, 'NOT_FOUND', `no such resource: ${url.pathname}`);
  const [, id, resource, name] = parts;

  if (id === undefined) {
    allow(method, ['POST']);
    return send(res, 201, await sessions.create());
  }
  if (resource === undefined) {
    allow(method, ['DELETE']);
    await sessions.delete(id);
    return send(res, 204);
  }
  if (resource === 'exec' && name === undefined) {
    allow(method, ['POST']);
    const body = await readJson(req);
    return send(res, 200, await sessions.exec(id, body.code));
  }
  if (resource === 'state' && name === undefined) {
    allow(method, ['GET', 'PUT']);
    if (method === 'GET') return send(res, 200, { vars: await sessions.getState(id) });
    await sessions.putState(id, (await readJson(req)).vars);
    return send(res, 204);
  }
  if (resource === 'files') {
    allow(method, ['GET']);
    if (name === undefined) return send(res, 200, { files: await sessions.listFiles(id) });
    const content = await sessions.readFile(id, name);
    res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' });
    res.end(content);
    return;
  }
  throw new ServiceError(404, 'NOT_FOUND', `no such resource: ${url.pathname}`);
}

function allow(method: string, allowed: string[]): void {
  if (!allowed.includes(method)) throw new ServiceError(405, 'METHOD_NOT_ALLOWED', `${method} is not allowed here; use ${allowed.join(' or ')}`);
}

async function readJson(req: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY) throw new ServiceError(413, 'BODY_TOO_LARGE', `the body is larger than ${MAX_BODY} bytes`);
    chunks.push(chunk as Buffer);
  }
  let body: unknown;
  try {
    body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    throw badRequest('the body is not valid JSON');
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw badRequest('the body must be a JSON object');
  return body as Record<string, unknown>;
}

function send(res: ServerResponse, status: number, body?: unknown): void {
  if (body === undefined) {
    res.writeHead(status).end();
    return;
  }
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}

function sendError(res: ServerResponse, error: unknown): void {
  if (res.headersSent) {
    res.destroy();
  } else if (error instanceof ServiceError) {
    send(res, error.status, { error: error.message, code: error.code });
  } else if (error instanceof StoreUnavailableError) {
    send(res, 503, { error: `state store unavailable: ${error.message}; the request was not acknowledged, retry it`, code: 'STORE_UNAVAILABLE' });
  } else {
    send(res, 500, { error: 'internal error', code: 'INTERNAL' });
  }
}
