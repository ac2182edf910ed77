import { collectUnhandled, createTestSystem, expectRequest, test, UnhandledRequestError } from '@quiesce/harness';
import { HttpResponse, http } from 'msw';
import { describe, expect } from 'vitest';
import { HttpProvider, ProviderError } from '../src/index.js';
import { mswServer } from './support/msw.js';

const server = mswServer();
const baseUrl = 'https://api.pods.test/v1';
const provider = new HttpProvider({ baseUrl, apiKey: 'test-key' });

describe('HTTP provider, at the HTTP level', () => {
  test('spawn sends exactly one POST /pods with the GPU type id mapped from its short name', async ({ system }) => {
    collectUnhandled(server, { system });
    const spawn = expectRequest(
      server,
      http.post(`${baseUrl}/pods`, () => HttpResponse.json({ id: 'pod_abc', desiredStatus: 'RUNNING' }, { status: 201 })),
      { times: 1, system },
    );

    const compute = await provider.spawnCompute({ gpu: 'h100', image: 'ubuntu:22.04' });

    expect(compute).toEqual({ id: 'pod_abc', status: 'running', gpu: 'h100', image: 'ubuntu:22.04' });
    // The body as the API received it, from the history (the credentials are redacted there).
    const [request] = system.history.ofKind('http.request');
    expect(JSON.parse(request!.data.body!)).toEqual({ imageName: 'ubuntu:22.04', gpuTypeIds: ['NVIDIA H100 80GB HBM3'], gpuCount: 1, cloudType: 'SECURE' });
    expect(request!.data.headers.authorization).toBe('Bearer [redacted]');
    expect(spawn.requests).toHaveLength(1); // and verified again, exactly once, at teardown
  });

  test('a spawn refused for its input sends nothing', async ({ system }) => {
    collectUnhandled(server, { system }); // any request at all would fail the test
    await expect(provider.spawnCompute({ gpu: 'tpu', image: 'x' })).rejects.toThrow('spawn request.gpu: got "tpu"; expected one of h100, a100, a4000');
    expect(system.history.ofKind('http.request')).toEqual([]);
  });

  test("the API's 4xx answers become errors with a code and the API's own words", async ({ system }) => {
    collectUnhandled(server, { system });
    expectRequest(
      server,
      http.get(`${baseUrl}/pods/:id`, () => HttpResponse.json({ error: 'invalid API key' }, { status: 401 })),
      { system },
    );
    expectRequest(
      server,
      http.delete(`${baseUrl}/pods/:id`, () => HttpResponse.json({ error: 'pod pod_9 not found' }, { status: 404 })),
      { system },
    );

    const unauthorized = await provider.getStatus('pod_1').catch((e: unknown) => e);
    expect(unauthorized).toBeInstanceOf(ProviderError);
    expect(unauthorized).toMatchObject({ code: 'UNAUTHORIZED', status: 401, message: 'GET /pods/pod_1: 401 invalid API key' });
    await expect(provider.terminate('pod_9')).rejects.toMatchObject({ code: 'NOT_FOUND', message: 'DELETE /pods/pod_9: 404 pod pod_9 not found' });
  });

  test('an answer the contract does not know is refused, not passed on', async ({ system }) => {
    collectUnhandled(server, { system });
    expectRequest(
      server,
      http.get(`${baseUrl}/pods/:id`, () => HttpResponse.json({ id: 'pod_1', desiredStatus: 'HIBERNATING' })),
      { system },
    );
    await expect(provider.getStatus('pod_1')).rejects.toThrow('the API answered an unknown pod status "HIBERNATING"');
  });

  test('a request no handler takes fails the test that made it, naming it', async () => {
    // A system of our own, so its teardown's verdict can be asserted here instead of failing this test.
    const system = createTestSystem({ testId: 'unhandled-request' });
    collectUnhandled(server, { system });
    await expect(provider.getJob('job_1')).rejects.toMatchObject({ code: 'UNAVAILABLE' }); // msw's onUnhandledRequest: 'error'
    const teardown = await system.teardown().catch((e: unknown) => e);
    expect(teardown).toBeInstanceOf(UnhandledRequestError);
    expect(String(teardown)).toContain(`GET ${baseUrl}/jobs/job_1`);
  });

  test('bad options are refused when the provider is built', () => {
    expect(() => new HttpProvider({ baseUrl: 'not a url', apiKey: 'k' })).toThrow('HttpProvider options.baseUrl: got "not a url"; expected an absolute URL');
    expect(() => new HttpProvider({ baseUrl, apiKey: '' })).toThrow('HttpProvider options.apiKey');
  });
});
