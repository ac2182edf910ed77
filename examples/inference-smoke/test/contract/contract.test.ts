import { Ajv } from 'ajv';
import { describe, expect } from 'vitest';
import { test } from '@quiesce/harness';
import { complete, jsonOf, serviceUnderTest } from '../support/service.js';

// The parts of OpenAI's completions contract clients rely on, as JSON Schema.
const ajv = new Ajv({ allErrors: true, strict: true });
const completionSchema = {
  type: 'object',
  required: ['id', 'object', 'created', 'model', 'choices', 'usage'],
  properties: {
    id: { type: 'string', pattern: '^cmpl-' },
    object: { const: 'text_completion' },
    created: { type: 'integer', minimum: 0 },
    model: { type: 'string', minLength: 1 },
    choices: {
      type: 'array',
      minItems: 1,
      items: {
        type: 'object',
        required: ['text', 'index', 'logprobs', 'finish_reason'],
        properties: { text: { type: 'string' }, index: { type: 'integer' }, logprobs: { type: 'null' }, finish_reason: { enum: ['stop', 'length', null] } },
      },
    },
    usage: {
      type: 'object',
      required: ['prompt_tokens', 'completion_tokens', 'total_tokens'],
      properties: { prompt_tokens: { type: 'integer' }, completion_tokens: { type: 'integer' }, total_tokens: { type: 'integer' } },
    },
  },
};
const errorSchema = {
  type: 'object',
  required: ['error'],
  properties: {
    error: {
      type: 'object',
      required: ['message', 'type', 'param', 'code'],
      properties: { message: { type: 'string', minLength: 1 }, type: { type: 'string' }, param: { type: ['string', 'null'] }, code: { type: 'string' } },
    },
  },
};
const isCompletion = ajv.compile(completionSchema);
const isError = ajv.compile(errorSchema);

describe('the completions contract', () => {
  test('a completion matches the schema; usage adds up; JSON with a request id', async ({ system }) => {
    const base = await serviceUnderTest(system);
    const res = await complete(base, { prompt: 'Contract check, please.', max_tokens: 5 });
    expect(res.headers.get('content-type')).toBe('application/json');
    expect(res.headers.get('x-request-id')).toMatch(/^cmpl-\d+$/);
    const body = await jsonOf(res);
    expect(isCompletion(body), ajv.errorsText(isCompletion.errors)).toBe(true);
    expect(body.usage.total_tokens).toBe(body.usage.prompt_tokens + body.usage.completion_tokens);
    expect(body.usage.completion_tokens).toBe(5);
    expect(body.id).toBe(res.headers.get('x-request-id'));
  });

  test('errors have the OpenAI error shape and a JSON content type', async ({ system }) => {
    const base = await serviceUnderTest(system);
    for (const res of [await complete(base, { max_tokens: 5 }), await fetch(`${base}/v2/nothing`)]) {
      expect(res.status).toBeGreaterThanOrEqual(400);
      expect(res.headers.get('content-type')).toBe('application/json');
      const body = await res.json();
      expect(isError(body), ajv.errorsText(isError.errors)).toBe(true);
    }
  });

  test('a stream is text/event-stream, not cached, and every event is a completion chunk', async ({ system }) => {
    const base = await serviceUnderTest(system);
    const res = await complete(base, { prompt: 'Stream it', max_tokens: 3, stream: true });
    expect(res.headers.get('content-type')).toBe('text/event-stream');
    expect(res.headers.get('cache-control')).toBe('no-cache');
    const events = (await res.text()).split('\n\n').filter(Boolean);
    expect(events.at(-1)).toBe('data: [DONE]');
    for (const event of events.slice(0, -1)) {
      const chunk = JSON.parse(event.replace(/^data: /, ''));
      expect(chunk).toMatchObject({ object: 'text_completion', choices: [{ index: 0, logprobs: null }] });
    }
  });
});
