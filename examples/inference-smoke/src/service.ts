import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { completionTokens, promptTokens } from './completion.js';
import { ApiError, parseCompletionRequest, type CompletionRequest } from './requests.js';

export interface InferenceServiceOptions {
  /** The model name it serves. Default 'smollm2-135m-test'. */
  model?: string;
  /** The largest max_tokens accepted. Default 256. */
  maxTokens?: number;
  /** The largest request body in bytes. Default 64 KiB. */
  maxBodyBytes?: number;
}

/** What the service acknowledged, per user: a completion counts once its answer was sent whole. */
export interface Usage {
  requests: number;
  completion_tokens: number;
}

export interface InferenceService {
  readonly server: Server;
  /** Acknowledged completions per user ('anonymous' without a `user` field). */
  readonly usage: ReadonlyMap<string, Usage>;
}

/**
 * A small OpenAI-style inference service over node:http: `GET /health`, `POST /v1/completions`
 * (JSON, or Server-Sent Events with `stream: true`) and `GET /v1/usage?user=...`. The text is a
 * deterministic function of the prompt. The server is returned unbound: `listen` it where you want
 * (a test hands it to `system.listen`, which binds port 0 on 127.0.0.1).
 */
export function createInferenceService(options: InferenceServiceOptions = {}): InferenceService {
  const model = options.model ?? 'smollm2-135m-test';
  const maxTokens = options.maxTokens ?? 256;
  const maxBodyBytes = options.maxBodyBytes ?? 64 * 1024;
  const usage = new Map<string, Usage>();
  let served = 0;

  const acknowledge = (request: CompletionRequest) => {
    const entry = usage.get(request.user ?? 'anonymous') ?? { requests: 0, completion_tokens: 0 };
    entry.requests += 1;
    entry.completion_tokens += request.maxTokens;
    usage.set(request.user ?? 'anonymous', entry);
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://service.local');
    const id = `cmpl-${++served}`;
    res.setHeader('x-request-id', id);
    if (url.pathname === '/health') {
      if (req.method !== 'GET') throw new ApiError(405, 'method_not_allowed', `${req.method} /health: only GET is served`);
      return json(res, 200, { status: 'ok', model });
    }
    if (url.pathname === '/v1/usage') {
      if (req.method !== 'GET') throw new ApiError(405, 'method_not_allowed', `${req.method} /v1/usage: only GET is served`);
      const user = url.searchParams.get('user') ?? 'anonymous';
      return json(res, 200, { user, ...(usage.get(user) ?? { requests: 0, completion_tokens: 0 }) });
    }
    if (url.pathname !== '/v1/completions')
      throw new ApiError(404, 'not_found', `no route ${req.method} ${url.pathname}; routes: GET /health, POST /v1/completions, GET /v1/usage`);
    if (req.method !== 'POST') throw new ApiError(405, 'method_not_allowed', `${req.method} /v1/completions: only POST is served`);
    if (!/^application\/json\b/i.test(req.headers['content-type'] ?? ''))
      throw new ApiError(415, 'unsupported_media_type', `content-type: got ${JSON.stringify(req.headers['content-type'] ?? null)}; expected application/json`);
    const text = await readBody(req, maxBodyBytes);
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      throw new ApiError(400, 'invalid_json', 'the body is not valid JSON');
    }
    const request = parseCompletionRequest(body, { model, maxTokens });
    const tokens = completionTokens(request.prompt, request.maxTokens);
    const created = Math.floor(Date.now() / 1000);
    if (!request.stream) {
      json(res, 200, {
        id,
        object: 'text_completion',
        created,
        model,
        choices: [{ text: tokens.join(''), index: 0, logprobs: null, finish_reason: 'length' }],
        usage: { prompt_tokens: promptTokens(request.prompt), completion_tokens: tokens.length, total_tokens: promptTokens(request.prompt) + tokens.length },
      });
      acknowledge(request);
      return;
    }
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
    const event = (text: string, finish: string | null) =>
      `data: ${JSON.stringify({ id, object: 'text_completion', created, model, choices: [{ text, index: 0, logprobs: null, finish_reason: finish }] })}\n\n`;
    for (const token of tokens) res.write(event(token, null));
    res.write(event('', 'length'));
    res.end('data: [DONE]\n\n');
    acknowledge(request);
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      const api = error instanceof ApiError ? error : new ApiError(500, 'internal_error', 'the service failed; see its log');
      if (res.headersSent) res.destroy();
      else json(res, api.status, api.toJSON());
    });
  });
  return { server, usage };
}

function json(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

/** The whole body as text, refusing (413) one larger than `limit` bytes without reading the rest. */
function readBody(req: IncomingMessage, limit: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        req.removeAllListeners('data');
        req.resume();
        reject(new ApiError(413, 'body_too_large', `the body is over ${limit} bytes`));
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}
