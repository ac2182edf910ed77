import { describe, expect } from 'vitest';
import { test } from '@quiesce/harness';
import { complete, jsonOf, serviceUnderTest, userOf, type ErrorBody } from '../support/service.js';

/** The text of an SSE completion stream, event by event, and whether it ended with [DONE]. */
async function readStream(res: Response): Promise<{ texts: string[]; done: boolean }> {
  const texts: string[] = [];
  let done = false;
  const decoder = new TextDecoder();
  let buffered = '';
  for await (const bytes of res.body as unknown as AsyncIterable<Uint8Array>) {
    buffered += decoder.decode(bytes, { stream: true });
    for (let end = buffered.indexOf('\n\n'); end >= 0; end = buffered.indexOf('\n\n')) {
      const data = buffered.slice(0, end).replace(/^data: /, '');
      buffered = buffered.slice(end + 2);
      if (data === '[DONE]') done = true;
      else texts.push(JSON.parse(data).choices[0].text);
    }
  }
  return { texts, done };
}

describe('integration', () => {
  test('10 concurrent requests all succeed; the same prompt gives the same text, another prompt another', async ({ system }) => {
    const base = await serviceUnderTest(system);
    const prompts = Array.from({ length: 10 }, (_, i) => (i % 2 === 0 ? 'same prompt' : `prompt ${i}`));
    const bodies = await Promise.all(prompts.map(async (prompt) => jsonOf(await complete(base, { prompt, max_tokens: 8 }))));
    const texts = bodies.map((b) => b.choices[0]!.text);
    expect(new Set(texts.filter((_, i) => i % 2 === 0)).size).toBe(1);
    expect(new Set(texts.filter((_, i) => i % 2 === 1)).size).toBe(5);
  });

  test('a streamed completion arrives token by token, in order, ends with [DONE], and equals the plain one', async ({ system }) => {
    const base = await serviceUnderTest(system);
    const plain = (await jsonOf(await complete(base, { prompt: 'Tell me a story', max_tokens: 12 }))).choices[0]!.text;
    const { texts, done } = await readStream(await complete(base, { prompt: 'Tell me a story', max_tokens: 12, stream: true }));
    expect(done).toBe(true);
    expect(texts).toHaveLength(13); // 12 tokens, then the final event with finish_reason
    expect(texts.at(-1)).toBe('');
    expect(texts.join('')).toBe(plain);
  });

  test('bad input gets a clear 4xx and no acknowledged completion is lost', async ({ system }) => {
    const base = await serviceUnderTest(system);
    const user = userOf(system);
    // Two acknowledged completions for this user.
    for (const prompt of ['first', 'second']) expect((await complete(base, { prompt, max_tokens: 4, user })).status).toBe(200);

    const cases: Array<[string, Promise<Response>, number, string]> = [
      ['not JSON', complete(base, '{"prompt": '), 400, 'the body is not valid JSON'],
      ['no prompt', complete(base, { max_tokens: 4, user }), 400, 'prompt: got nothing; expected a non-empty string'],
      ['max_tokens 0', complete(base, { prompt: 'x', max_tokens: 0, user }), 400, 'max_tokens: got 0; expected an integer from 1 to 256'],
      ['max_tokens huge', complete(base, { prompt: 'x', max_tokens: 1e6, user }), 400, 'max_tokens: got 1000000; expected an integer from 1 to 256'],
      ['stream not boolean', complete(base, { prompt: 'x', stream: 'yes', user }), 400, 'stream: got "yes"; expected a boolean'],
      ['unknown model', complete(base, { prompt: 'x', model: 'gpt-9', user }), 404, 'model: got "gpt-9"; this service serves'],
      ['wrong content type', complete(base, '{"prompt":"x"}', { headers: { 'content-type': 'text/plain' } }), 415, 'content-type: got "text/plain"'],
      ['body too large', complete(base, { prompt: 'x'.repeat(70_000), user }), 413, 'the body is over 65536 bytes'],
      ['GET on completions', fetch(`${base}/v1/completions`), 405, 'only POST is served'],
    ];
    for (const [what, pending, status, message] of cases) {
      const res = await pending;
      expect(res.status, what).toBe(status);
      expect((await jsonOf<ErrorBody>(res)).error.message, what).toContain(message);
    }

    // The service is still healthy, and it counts exactly what it acknowledged: nothing lost, nothing extra.
    expect((await fetch(`${base}/health`)).status).toBe(200);
    expect(await (await fetch(`${base}/v1/usage?user=${user}`)).json()).toEqual({ user, requests: 2, completion_tokens: 8 });
  });
});
