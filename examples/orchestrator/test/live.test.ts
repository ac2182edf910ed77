import { test } from '@quiesce/harness';
import { describe, expect } from 'vitest';
import { HttpProvider } from '../src/index.js';

// Live tests talk to a real provider and cost money: tagged `live`, so Quiesce's preset leaves
// them out unless the run asks (`--tags-filter=live` or QUIESCE_LIVE=1); asked for, they still
// need a key, and without one they skip saying so.
const apiKey = process.env.RUNPOD_API_KEY;
const baseUrl = process.env.RUNPOD_BASE_URL ?? 'https://rest.runpod.io/v1';
const NO_KEY = 'RUNPOD_API_KEY is not set: export a RunPod API key to run the live tests (RUNPOD_API_KEY=... npm run test:live)';

describe('against the real provider', () => {
  test('spawn, see it running, terminate', { tags: ['live'] }, async ({ skip, onTestFinished }) => {
    if (!apiKey) {
      console.warn(`[orchestrator] live test skipped: ${NO_KEY}`);
      return skip(NO_KEY);
    }
    const provider = new HttpProvider({ baseUrl, apiKey });
    const compute = await provider.spawnCompute({ gpu: 'a4000', image: 'ubuntu:22.04' });
    onTestFinished(() => provider.terminate(compute.id));
    expect(['provisioning', 'running']).toContain(compute.status);
  });
});
