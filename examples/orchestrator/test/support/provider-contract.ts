import { defineConformance } from '@quiesce/harness';
import { expect } from 'vitest';
import { type Provider, ProviderError } from '../../src/index.js';

/** The contract every provider keeps; run against the mock and the HTTP provider (conformance.test.ts). */
export const providerContract = defineConformance<Provider>('provider', (t) => {
  t.test('a spawned compute is running and reports its status', async ({ impl }) => {
    const compute = await impl.spawnCompute({ gpu: 'h100', image: 'ubuntu:22.04' });
    expect(compute).toMatchObject({ id: expect.any(String), status: 'running', gpu: 'h100', image: 'ubuntu:22.04' });
    expect(await impl.getStatus(compute.id)).toBe('running');
  });

  t.test('two spawns give two computes', async ({ impl }) => {
    const [a, b] = await Promise.all([impl.spawnCompute({ gpu: 'a100', image: 'x' }), impl.spawnCompute({ gpu: 'a4000', image: 'y' })]);
    expect(a.id).not.toBe(b.id);
  });

  t.test('a job is queued, then complete on the next read', async ({ impl }) => {
    const compute = await impl.spawnCompute({ gpu: 'h100', image: 'x' });
    const job = await impl.runJob(compute.id, 'nvidia-smi');
    expect(job).toMatchObject({ computeId: compute.id, status: 'queued' });
    expect(await impl.getJob(job.id)).toMatchObject({ id: job.id, status: 'completed', output: 'ran: nvidia-smi' });
  });

  t.test('a terminated compute says so and takes no more jobs', async ({ impl }) => {
    const compute = await impl.spawnCompute({ gpu: 'h100', image: 'x' });
    await impl.terminate(compute.id);
    expect(await impl.getStatus(compute.id)).toBe('terminated');
    await expect(impl.runJob(compute.id, 'ls')).rejects.toMatchObject({ code: 'CONFLICT' });
  });

  t.test('an unknown compute or job is NOT_FOUND', async ({ impl }) => {
    await expect(impl.getStatus('nope')).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(impl.getJob('nope')).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  t.test('bad input is INVALID_REQUEST naming the field, and nothing is spawned', async ({ impl }) => {
    const error = await impl.spawnCompute({ gpu: 'h200', image: 'x' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProviderError);
    expect(error).toMatchObject({ code: 'INVALID_REQUEST', message: expect.stringContaining('gpu: got "h200"; expected one of h100, a100, a4000') });
    await expect(impl.spawnCompute({ gpu: 'h100', image: ' ' })).rejects.toMatchObject({ code: 'INVALID_REQUEST' });
    // The contract's acknowledged state is untouched: a compute spawned after is the first one to exist.
    const compute = await impl.spawnCompute({ gpu: 'h100', image: 'x' });
    expect(await impl.getStatus(compute.id)).toBe('running');
  });
});
