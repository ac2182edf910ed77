import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect } from 'vitest';
import { test, type TestSystem } from '@quiesce/harness';
import { createInferenceService } from '../../src/index.js';

// Each exit code of bin/run-suite.mjs, provoked for real: the runner runs as a child process
// (owned by the test: killed and checked at teardown), against real servers on harness ports.
const exampleDir = fileURLToPath(new URL('../../', import.meta.url));
const runner = join(exampleDir, 'bin/run-suite.mjs');

/** A temporary directory of the test's own, removed at teardown. */
function tempDir(system: TestSystem): string {
  const dir = mkdtempSync(join(tmpdir(), 'inference-report-'));
  let removed = false;
  const dispose = () => {
    removed = true;
    rmSync(dir, { recursive: true, force: true });
  };
  system.own({ kind: 'dir', label: dir, dispose, alive: () => !removed });
  return dir;
}

async function run(system: TestSystem, args: string[]): Promise<{ code: number | null; report: any }> {
  const output = join(tempDir(system), 'report.json');
  const child = await system.spawn(process.execPath, [runner, ...args, '--output', output], { cwd: exampleDir, lines: true });
  const { code } = await child.awaitExit({ timeout: 80_000 });
  return { code, report: JSON.parse(readFileSync(output, 'utf8')) };
}

describe('bin/run-suite.mjs exit codes', () => {
  test('3: bad configuration, named in the report', async ({ system }) => {
    const { code, report } = await run(system, ['--url', 'http://127.0.0.1:1', '--suite', 'nightly']);
    expect(code).toBe(3);
    expect(report).toEqual({
      status: 'configuration_error',
      exit_code: 3,
      error: '--suite: got "nightly"; expected one of all, smoke, contract, integration, load',
    });
  });

  test('2: the service is not reachable (nothing listens on the port)', async ({ system }) => {
    const port = await system.port(); // leased, and nobody listens on it
    const { code, report } = await run(system, ['--url', `http://127.0.0.1:${port}`, '--health-timeout', '500']);
    expect(code).toBe(2);
    expect(report).toMatchObject({ status: 'infrastructure_error', exit_code: 2, error: expect.stringContaining(`http://127.0.0.1:${port} is not reachable`) });
  });

  test('0: the smoke suite passes against a healthy service', { timeout: 90_000 }, async ({ system }) => {
    const port = await system.listen(createInferenceService().server);
    const { code, report } = await run(system, ['--url', `http://127.0.0.1:${port}`, '--suite', 'smoke']);
    expect(code).toBe(0);
    expect(report.summary).toMatchObject({ total: 2, passed: 2, failed: 0 });
    expect(report.tests.map((t: { file: string }) => t.file)).toEqual(['test/smoke/smoke.test.ts', 'test/smoke/smoke.test.ts']);
  });

  test('1: a service that is up but answers without choices fails the smoke suite', { timeout: 90_000 }, async ({ system }) => {
    const broken = createServer((req, res) => {
      res.setHeader('content-type', 'application/json');
      res.end(req.url === '/health' ? '{"status":"ok"}' : '{}');
    });
    const port = await system.listen(broken);
    const { code, report } = await run(system, ['--url', `http://127.0.0.1:${port}`, '--suite', 'smoke']);
    expect(code).toBe(1);
    expect(report.summary.failed).toBeGreaterThanOrEqual(1);
    const failed = report.tests.filter((t: { status: string }) => t.status === 'failed');
    expect(failed.map((t: { name: string }) => t.name)).toContain('a completion answers 200 with choices');
    // Each failure comes with the command that replays it.
    for (const t of failed) expect(t.replay).toMatch(/^QUIESCE_SEED=\d+ npx vitest run test\/smoke\/smoke\.test\.ts -t /);
  });
});
