import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';
import { test } from '@quiesce/harness';
import { quiesce } from '../flaky/cli-support.js';
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

// Required mode: a CI lane that must run the docker-tagged tests cannot pass by skipping them.
const nowhere = { DOCKER_HOST: 'unix:///nonexistent/quiesce/docker.sock' };

test('QUIESCE_REQUIRE=docker without an engine: the docker-tagged test fails saying so, and `vitest run` exits 2', { timeout: 120_000 }, async ({ signal }) => {
  const env = cleanEnv({ ...nowhere, QUIESCE_REQUIRE: 'docker' });
  delete env.TESTCONTAINERS_HOST_OVERRIDE;
  const run = await runVitest(`--config ${config} --reporter=verbose`, env, signal);
  const out = run.stdout + run.stderr;
  expect(run.code, out).toBe(2);
  expect(out).toContain("[quiesce] no container engine, and QUIESCE_REQUIRE=docker requires one: tests tagged 'docker' fail and the run exits 2");
  expect(out).toContain('a required part is missing: no container engine (QUIESCE_REQUIRE=docker)');
  expect(out).toContain("[quiesce] exit 2: 1 test(s) tagged 'docker' need a container engine");
  expect(out).toMatch(/1 failed/);
  expect(out).not.toContain('ran without an engine');
});

test('quiesce flaky --require docker without an engine exits 2 once a docker-tagged test is selected, and not otherwise', { timeout: 180_000 }, async ({
  signal,
}) => {
  const env = { ...nowhere, TESTCONTAINERS_HOST_OVERRIDE: '' };
  const cwd = dirname(config);
  const required = await quiesce(['flaky', '--require', 'docker', '--runs', '3', '--seed', '1', '--progress', 'none'], cwd, signal, env);
  expect(required.code, required.stderr).toBe(2);
  expect(required.stderr).toContain(
    "quiesce flaky: infrastructure error: a required part is missing: QUIESCE_REQUIRE=docker requires a container engine for the 1 selected test(s) tagged 'docker', and none answers",
  );
  expect(required.stderr).toContain('DOCKER_HOST=unix:///nonexistent/quiesce/docker.sock');
  expect(required.stderr).toContain('To run them: start a Docker engine');
  // No docker-tagged test selected: nothing required is missing.
  const untagged = await quiesce(['flaky', '--require', 'docker', '--runs', '2', '--seed', '1', '--progress', 'none', '-t', 'untagged'], cwd, signal, env);
  expect(untagged.code, untagged.stderr + untagged.stdout).toBe(0);
  // Without --require the same run skips the docker-tagged test: stable, exit 0.
  const skipping = await quiesce(['flaky', '--runs', '2', '--seed', '1', '--progress', 'none'], cwd, signal, env);
  expect(skipping.code, skipping.stderr + skipping.stdout).toBe(0);
});

// A misspelt part stops the run at once with the variable named, not after a misleading
// "No test files found" (the global setup, where it was first read, runs after file collection).
test('QUIESCE_REQUIRE=dokcer: the run stops before collecting files, naming the variable and the parts accepted', { timeout: 120_000 }, async ({ signal }) => {
  const run = await runVitest(`--config ${config}`, cleanEnv({ QUIESCE_REQUIRE: 'dokcer' }), signal);
  const out = run.stdout + run.stderr;
  expect(run.code, out).not.toBe(0);
  expect(out).toContain(`QUIESCE_REQUIRE: got "dokcer"; expected a comma-separated list of required parts: 'docker'`);
  expect(out).not.toContain('No test files found');
});
