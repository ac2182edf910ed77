/** A validated /v1/completions request. */
export interface CompletionRequest {
  readonly model: string;
  readonly prompt: string;
  readonly maxTokens: number;
  readonly stream: boolean;
  readonly user: string | undefined;
}

/** A client error, answered in OpenAI's shape: `{ error: { message, type, param, code } }`. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly param: string | null = null,
  ) {
    super(message);
  }

  toJSON() {
    return { error: { message: this.message, type: this.status >= 500 ? 'server_error' : 'invalid_request_error', param: this.param, code: this.code } };
  }
}

/** Check a parsed body field by field; the first problem is a 400 naming the field, the value and what is accepted. */
export function parseCompletionRequest(body: unknown, limits: { model: string; maxTokens: number }): CompletionRequest {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new ApiError(400, 'invalid_body', 'the body must be a JSON object');
  const b = body as Record<string, unknown>;
  const got = (v: unknown) => (v === undefined ? 'nothing' : JSON.stringify(v));
  if (typeof b.prompt !== 'string' || b.prompt.length === 0)
    throw new ApiError(400, 'invalid_prompt', `prompt: got ${got(b.prompt)}; expected a non-empty string`, 'prompt');
  const maxTokens = b.max_tokens ?? 16;
  if (!Number.isInteger(maxTokens) || (maxTokens as number) < 1 || (maxTokens as number) > limits.maxTokens)
    throw new ApiError(400, 'invalid_max_tokens', `max_tokens: got ${got(b.max_tokens)}; expected an integer from 1 to ${limits.maxTokens}`, 'max_tokens');
  if (b.stream !== undefined && typeof b.stream !== 'boolean')
    throw new ApiError(400, 'invalid_stream', `stream: got ${got(b.stream)}; expected a boolean`, 'stream');
  if (b.user !== undefined && (typeof b.user !== 'string' || b.user === ''))
    throw new ApiError(400, 'invalid_user', `user: got ${got(b.user)}; expected a non-empty string`, 'user');
  const model = b.model ?? limits.model;
  if (model !== limits.model)
    throw new ApiError(404, 'model_not_found', `model: got ${got(b.model)}; this service serves ${JSON.stringify(limits.model)}`, 'model');
  return { model: limits.model, prompt: b.prompt, maxTokens: maxTokens as number, stream: b.stream === true, user: b.user as string | undefined };
}
