import { InvalidOptionError, QuiesceError } from '@quiesce/runtime';
import { checkKnownKeys, checkMilliseconds } from '@quiesce/runtime/internal';
import type { ExpectStatic, TestContext } from 'vitest';
import type { Inbox } from '../inbox/inbox.js';
import type { TestSystem } from '../system/test-system.js';

/** What each contract test receives: the implementation under test and a fresh system of its own. */
export interface ContractContext<I> {
  /** The implementation under test (from the target's factory; reset first when shared). */
  readonly impl: I;
  /** This test's own TestSystem, torn down (and leak-checked) after it. */
  readonly system: TestSystem;
  /** `system.inbox`. */
  readonly inbox: Inbox;
  /** The Vitest task, signal and test-bound `expect` (use it in concurrent tests). */
  readonly task: TestContext['task'];
  readonly signal: AbortSignal;
  readonly expect: ExpectStatic;
  readonly onTestFinished: TestContext['onTestFinished'];
}

export type ContractTestFn<I> = (context: ContractContext<I>) => void | Promise<void>;

/** Per contract test: a Vitest timeout in ms, and Vitest test tags (`chaos`, `slow`, ...). */
export interface ContractTestOptions {
  timeout?: number;
  tags?: readonly string[];
}

export interface ContractTest<I> {
  readonly name: string;
  readonly fn: ContractTestFn<I>;
  readonly options: Readonly<ContractTestOptions>;
}

/** The `t` a contract is written with. */
export interface ConformanceBuilder<I> {
  /** Add a contract test; every implementation will run it. */
  test(name: string, fn: ContractTestFn<I>, options?: ContractTestOptions): void;
}

/** A contract: named tests that any implementation of `I` must pass. A plain value; run it with `runConformance`. */
export interface ConformanceSuite<I> {
  readonly kind: 'quiesce.conformance';
  readonly name: string;
  readonly tests: readonly ContractTest<I>[];
}

/**
 * Define a shared conformance suite (ExAtlas's provider conformance, in Vitest): the same
 * contract tests run against every implementation of an interface, a mock and a real one alike.
 *
 * ```ts
 * export const jobQueueContract = defineConformance<JobQueue>('job queue', (t) => {
 *   t.test('a created job runs to done', async ({ impl }) => {
 *     const job = await impl.create({ task: 'echo', input: 'hi' });
 *     expect(await impl.settled(job.id)).toMatchObject({ status: 'done', result: 'echo:hi' });
 *   });
 * });
 * ```
 */
export function defineConformance<I>(name: string, define: (t: ConformanceBuilder<I>) => void): ConformanceSuite<I> {
  if (typeof name !== 'string' || name.trim() === '') throw new InvalidOptionError('defineConformance(name)', name, 'a non-empty string');
  if (typeof define !== 'function') throw new InvalidOptionError('defineConformance(define)', define, 'a function (t) => { t.test(...) }');
  const tests: ContractTest<I>[] = [];
  let open = true;
  const builder: ConformanceBuilder<I> = {
    test(testName, fn, options = {}) {
      if (!open) {
        throw new QuiesceError('INVALID_OPTION', `${name}: t.test was called after defineConformance returned; add contract tests inside the define callback`, {
          suite: name,
        });
      }
      if (typeof testName !== 'string' || testName.trim() === '') throw new InvalidOptionError(`${name}: t.test(name)`, testName, 'a non-empty string');
      if (tests.some((t) => t.name === testName))
        throw new InvalidOptionError(`${name}: t.test(name)`, testName, 'a name not used by another test of the contract');
      if (typeof fn !== 'function')
        throw new InvalidOptionError(`${name}: t.test(${JSON.stringify(testName)}, fn)`, fn, 'a function ({ impl, system }) => ...');
      tests.push({ name: testName, fn, options: validateContractTestOptions(options, `${name}: t.test(${JSON.stringify(testName)}) options`) });
    },
  };
  try {
    define(builder);
  } finally {
    open = false;
  }
  if (tests.length === 0) throw new InvalidOptionError(`defineConformance(${JSON.stringify(name)})`, 'no tests', 'at least one t.test(...)');
  return Object.freeze({ kind: 'quiesce.conformance' as const, name, tests: Object.freeze(tests) });
}

function validateContractTestOptions(options: unknown, where: string): ContractTestOptions {
  if (typeof options !== 'object' || options === null || Array.isArray(options)) throw new InvalidOptionError(where, options, 'an object { timeout?, tags? }');
  checkKnownKeys(where, options, ['timeout', 'tags']);
  const { timeout, tags } = options as { timeout?: unknown; tags?: unknown };
  return {
    ...(timeout === undefined ? {} : { timeout: checkMilliseconds(`${where}.timeout`, timeout, { positive: true }) }),
    ...(tags === undefined ? {} : { tags: checkTags(`${where}.tags`, tags) }),
  };
}

/** Vitest test tags: an array of non-empty strings (Vitest itself refuses a tag its config does not define). */
export function checkTags(where: string, tags: unknown): readonly string[] {
  if (!Array.isArray(tags) || tags.some((tag) => typeof tag !== 'string' || tag.trim() === '')) {
    throw new InvalidOptionError(
      where,
      tags,
      "an array of tag names, e.g. ['docker'] (tags the Vitest config defines; quiesce() defines live, docker, chaos, slow)",
    );
  }
  return Object.freeze([...(tags as string[])]);
}

export function isConformanceSuite(value: unknown): value is ConformanceSuite<unknown> {
  return typeof value === 'object' && value !== null && (value as { kind?: unknown }).kind === 'quiesce.conformance';
}
