import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';
import { test } from '@quiesce/harness';
import { cleanEnv, runVitest } from '../preset/vitest-subprocess.js';

const config = fileURLToPath(new URL('./fixtures/no-engine/vitest.config.ts', import.meta.url));

// No tag: this is what a machine without an engine sees, and it runs everywhere.
const name = 'without an engine (DOCKER_HOST pointing nowhere) the run says so once, skips docker-tagged tests with the reason, and passes';
test(name, { timeout: 120_000 }, async ({ signal }) => {
  const env = cleanEnv({ DOCKER_HOST: 'unix:///nonexistent/quiesce/docker.sock' });
  delete env.TESTCONTAINERS_HOST_OVERRIDE;
  const run = await runVitest(`--config ${config} --reporter=verbose`, env, signal);
  const out = run.stdout + run.stderr;
  expect(run.code, out).toBe(0);
  expect(out).toContain("[quiesce] no container engine: tests tagged 'docker' will be skipped");
  expect(out).toContain('DOCKER_HOST=unix:///nonexistent/quiesce/docker.sock');
  expect(out).toMatch(/To run them: start a Docker engine/);
  // Each skipped test carries the reason and the way to get an engine.
  expect(out).toMatch(/↓ .*a docker-tagged test.*\[no container engine answers .* — to run it: start a Docker engine/);
  expect(out).toMatch(/1 passed/);
  expect(out).toMatch(/1 skipped/);
  expect(out).not.toContain('ran without an engine');
});
