#!/usr/bin/env node
// Run the inference suites against a service and write a JSON report, for CI steps and agents.
//
//   node bin/run-suite.mjs --url http://127.0.0.1:8080 [--suite smoke|contract|integration|load|all]
//                          [--output report.json] [--health-timeout 30000]
//
// Exit codes: 0 every test passed, 1 test failures, 2 the service is not reachable (its /health
// never answered 2xx), 3 bad configuration (a flag, a value, a missing --url).
// The report is Quiesce's JSON report (summary, tests with seeds and replay commands, load
// figures); for exit codes 2 and 3 it is `{ status, exit_code, error }`.
import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
// The harness's helpers that load outside a Vitest run.
import { awaitHealthy } from '@quiesce/harness/tools';

const SUITES = ['smoke', 'contract', 'integration', 'load'];
const FLAGS = ['--url', '--suite', '--output', '--health-timeout'];
const here = dirname(dirname(fileURLToPath(import.meta.url)));

class ConfigError extends Error {}

function parse(argv) {
  const options = { suite: 'all', output: resolve('inference-report.json'), healthTimeout: 30_000 };
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i].split(/=(.*)/s, 2);
    if (!FLAGS.includes(flag)) throw new ConfigError(`unknown flag ${JSON.stringify(argv[i])}; accepted: ${FLAGS.join(', ')}`);
    const value = inline ?? argv[++i];
    if (value === undefined) throw new ConfigError(`${flag} needs a value`);
    if (flag === '--url') {
      let url;
      try {
        url = new URL(value);
      } catch {
        throw new ConfigError(`--url: got ${JSON.stringify(value)}; expected an http:// or https:// URL`);
      }
      if (url.protocol !== 'http:' && url.protocol !== 'https:')
        throw new ConfigError(`--url: got ${JSON.stringify(value)}; expected an http:// or https:// URL`);
      options.url = value.replace(/\/+$/, '');
    } else if (flag === '--suite') {
      if (value !== 'all' && !SUITES.includes(value)) throw new ConfigError(`--suite: got ${JSON.stringify(value)}; expected one of all, ${SUITES.join(', ')}`);
      options.suite = value;
    } else if (flag === '--output') {
      options.output = resolve(value);
    } else {
      const ms = Number(value);
      if (!Number.isInteger(ms) || ms < 1)
        throw new ConfigError(`--health-timeout: got ${JSON.stringify(value)}; expected a whole number of milliseconds >= 1`);
      options.healthTimeout = ms;
    }
  }
  if (options.url === undefined) throw new ConfigError('--url is required: the service to test, e.g. --url http://127.0.0.1:8080');
  return options;
}

function writeReport(path, report) {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, `${JSON.stringify(report, null, 2)}\n`);
}

/** Run Vitest on the chosen suites with the service's URL; resolves with Vitest's exit code. */
function runVitest(options) {
  const vitest = join(dirname(createRequire(import.meta.url).resolve('vitest/package.json')), 'vitest.mjs');
  const dirs = (options.suite === 'all' ? SUITES : [options.suite]).map((s) => `test/${s}/`);
  // A clean environment for the inner run: nothing of an outer Vitest run (this runner may itself run under one).
  const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('VITEST') && key !== 'TEST' && key !== 'NODE_ENV'));
  Object.assign(env, { INFERENCE_URL: options.url, INFERENCE_REPORT: options.output });
  return new Promise((resolveCode) => {
    const child = spawn(process.execPath, [vitest, 'run', ...dirs], { cwd: here, env, stdio: 'inherit' });
    child.on('exit', (code, signal) => resolveCode(code ?? (signal ? 1 : 1)));
    child.on('error', () => resolveCode(1));
  });
}

async function main() {
  let options;
  try {
    options = parse(process.argv.slice(2));
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    console.error(`run-suite: ${error.message}`);
    const output = process.argv.slice(2).find((_a, i, all) => all[i - 1] === '--output') ?? 'inference-report.json';
    writeReport(resolve(output), { status: 'configuration_error', exit_code: 3, error: error.message });
    return 3;
  }
  try {
    await awaitHealthy(`${options.url}/health`, { timeout: options.healthTimeout });
  } catch (error) {
    const message = `the service at ${options.url} is not reachable: ${error.message.split('\n')[0]}`;
    console.error(`run-suite: ${message}`);
    writeReport(options.output, { status: 'infrastructure_error', exit_code: 2, error: message });
    return 2;
  }
  const code = await runVitest(options);
  console.error(`run-suite: ${code === 0 ? 'all tests passed' : 'test failures'}; report: ${options.output}`);
  return code === 0 ? 0 : 1;
}

process.exitCode = await main();
