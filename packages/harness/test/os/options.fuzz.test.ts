import { PassThrough } from 'node:stream';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { QuiesceError } from '@quiesce/runtime';
import { describe, expect } from 'vitest';
import { awaitHealthy, awaitLine, awaitListening, test } from '@quiesce/harness';

const child = fileURLToPath(new URL('../fixtures/os-child.mjs', import.meta.url));

/** Works or fails with a QuiesceError — synchronously or as a rejection — never with anything else. */
async function worksOrQuiesceError(run: () => Promise<unknown>): Promise<void> {
  let outcome: Promise<unknown>;
  try {
    outcome = run();
  } catch (error) {
    expect(error, String(error)).toBeInstanceOf(QuiesceError);
    return;
  }
  await outcome.catch((error: unknown) => expect(error, String(error)).toBeInstanceOf(QuiesceError));
}

/**
 * Small timeouts when valid, so every input that is accepted ends quickly (undefined would mean
 * the default 5 s). `anything()` yields numbers too, often at the edges (2147483647 is a valid
 * timeout of 24 days): its numbers above 20 are left out, or one run in many waits out the test.
 */
const timeout = fc.oneof(
  fc.integer({ min: 0, max: 20 }),
  fc.constantFrom(-1, Number.NaN, Infinity, 2 ** 31, '10', null),
  fc.anything().filter((v) => v !== undefined && !(typeof v === 'number' && v > 20)),
);

/** Options without a timeout (or none at all) would wait for the default 5 s: give them a small one. */
const withSmallTimeout = (options: unknown): unknown =>
  options === undefined
    ? { timeout: 5 }
    : typeof options === 'object' && options !== null && !Array.isArray(options) && (options as { timeout?: unknown }).timeout === undefined
      ? { ...options, timeout: 5 }
      : options;

const waitOptions = (extra: Record<string, fc.Arbitrary<unknown>> = {}) =>
  fc.oneof(
    fc.anything().map(withSmallTimeout),
    fc.record({ timeout, signal: fc.oneof(fc.constant(undefined), fc.anything()), ...extra }, { requiredKeys: ['timeout'] }),
    fc.dictionary(fc.string(), fc.anything()).map(withSmallTimeout),
  );

describe('option parsing, fuzzed', () => {
  test('spawn: any command, args and options either start (here: fail with SPAWN_FAILED) or throw a QuiesceError', async ({ system }) => {
    // The command is never a free string: a fuzzer must not run arbitrary programs. (fc.anything()
    // yields short strings such as '[', 'w' or 'sh', programs in PATH, so its strings are left out.)
    const command = fc.oneof(
      fc.constantFrom('/nonexistent/quiesce-fuzz', '', 'a\0b', 42, null, undefined, {}, ['ls']),
      fc.string().map((s) => `/nonexistent/quiesce-fuzz-${s.replaceAll('/', '_')}`),
      fc.anything().filter((v) => typeof v !== 'string'),
    );
    const spawnOptions = fc.oneof(
      fc.anything(),
      fc.record(
        {
          ready: fc.oneof(
            fc.constant(/ready/),
            fc.constant(() => true),
            fc.anything(),
          ),
          readyTimeout: fc.oneof(fc.integer({ min: 1, max: 50 }), fc.anything()),
          lines: fc.oneof(fc.boolean(), fc.anything()),
          stdin: fc.oneof(fc.constantFrom('pipe', 'ignore', 'inherit'), fc.anything()),
          cwd: fc.oneof(fc.constantFrom('/', '/nonexistent', '', 'a\0'), fc.anything()),
          env: fc.oneof(fc.dictionary(fc.string(), fc.string()), fc.dictionary(fc.string(), fc.anything()), fc.anything()),
          label: fc.oneof(fc.string(), fc.anything()),
          killTimeout: fc.oneof(fc.integer({ min: 0, max: 50 }), fc.anything()),
        },
        { requiredKeys: [] },
      ),
    );
    await fc.assert(
      fc.asyncProperty(command, fc.oneof(fc.array(fc.string()), fc.anything()), spawnOptions, async (cmd, args, options) => {
        await worksOrQuiesceError(() => system.spawn(cmd as string, args as string[], options as never));
      }),
      { numRuns: 300 },
    );
    // Nothing ran: every accepted input named a program that does not exist.
    expect(system.history.ofKind('os.spawn')).toEqual([]);
    expect(system.leftovers()).toEqual([]);
  });

  test('TrackedProcess.awaitLine / awaitExit / kill: any arguments work or throw a QuiesceError', async ({ system }) => {
    const proc = await system.spawn(process.execPath, [child, 'ready'], { ready: /^ready$/ });
    const pattern = fc.oneof(
      fc.constantFrom(/ready/, /never/, (line: string) => line === 'one'),
      fc.anything(),
    );
    await fc.assert(
      fc.asyncProperty(pattern, waitOptions({ since: fc.oneof(fc.constantFrom('start', 'now', 0, 2, 99, -1, 1.5), fc.anything()) }), async (p, options) => {
        await worksOrQuiesceError(() => proc.awaitLine(p as RegExp, options as never));
      }),
      { numRuns: 150 },
    );
    await fc.assert(
      fc.asyncProperty(waitOptions(), async (options) => {
        await worksOrQuiesceError(() => proc.awaitExit(options as never));
      }),
      { numRuns: 100 },
    );
    // Signal 0 only checks; anything else valid would end the program, so only invalid ones are fuzzed here.
    fc.assert(
      fc.property(
        fc.oneof(
          fc.constantFrom('SIGNOPE', '', -1, 65, 1.5, 'sigterm', 0, 'SIGCONT'),
          fc.anything().filter((v) => typeof v !== 'string' && typeof v !== 'number'),
        ),
        (signal) => {
          try {
            proc.kill(signal as never);
          } catch (error) {
            expect(error).toBeInstanceOf(QuiesceError);
          }
        },
      ),
    );
    expect(proc.alive()).toBe(true);
  });

  test('awaitLine on a stream: any arguments work or throw a QuiesceError', async ({ system }) => {
    const stream = fc.oneof(fc.constant(null), fc.anything(), fc.constant('stream'));
    await fc.assert(
      fc.asyncProperty(
        fc.boolean(),
        stream,
        fc.oneof(fc.constant(/x/), fc.anything()),
        waitOptions({ system: fc.constantFrom(undefined, system, {}, 'system') }),
        async (real, s, p, options) => {
          await worksOrQuiesceError(() => awaitLine((real ? new PassThrough() : s) as never, p as RegExp, options as never));
        },
      ),
      { numRuns: 200 },
    );
  });

  test('awaitListening / awaitHealthy: any arguments work or throw a QuiesceError', async ({ system }) => {
    const port = await system.port(); // leased, nobody listens on it
    // Hosts and URLs stay on loopback (or are invalid): a fuzzer must not reach the network.
    const host = fc.oneof(
      fc.constantFrom('127.0.0.1', '::1', '', 'a\0', undefined),
      fc.anything().filter((v) => typeof v !== 'string'),
    );
    await fc.assert(
      fc.asyncProperty(fc.oneof(fc.constant(port), fc.integer(), fc.double(), fc.anything()), waitOptions({ host }), async (p, options) => {
        await worksOrQuiesceError(() => awaitListening(p as number, options as never));
      }),
      { numRuns: 200 },
    );
    const url = fc.oneof(
      fc.constantFrom(`http://127.0.0.1:${port}/health`, new URL(`http://127.0.0.1:${port}/`), 'ftp://127.0.0.1/', 'not a url', '', `https://[::1]:${port}/`),
      fc.anything().filter((v) => typeof v !== 'string'),
    );
    const expectStatus = fc.oneof(fc.constantFrom(undefined, 200, [200, 204], [], 99, 600, '200', 200.5), fc.anything());
    await fc.assert(
      fc.asyncProperty(url, waitOptions({ expectStatus }), async (u, options) => {
        await worksOrQuiesceError(() => awaitHealthy(u as string, options as never));
      }),
      { numRuns: 200 },
    );
  });
});
