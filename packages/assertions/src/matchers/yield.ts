import { InvalidOptionError, Runtime } from '@quiesce/runtime';
import {
  DEFAULT_WAIT_TIMEOUT,
  describePattern,
  Inbox,
  matches,
  TestSystem,
  WaitError,
  describeWaitFailed,
  quiescenceOf,
  waitForOutcome,
  waitInRealTime,
  type WaitOutcome,
} from '@quiesce/harness';
import type { MatcherState } from 'vitest';
import type { YieldOptions } from '../matcher-types.js';
import { knownKeys, optionsObject, timeoutOption } from '../options/validate.js';
import { hint, inline, type MatcherResult, result, tailBlock } from '../report.js';
import { inboxSubject } from '../subjects.js';
import { isAsyncIterable, isReadableLike, iterableSource, readableSource, type ChunkSource, type Step } from '../streams.js';

const SUBJECTS = "a Node Readable, an async iterable, or a TestSystem's Inbox";

/** What went wrong, in words that follow "Received: N chunks, then". */
interface Verdict {
  readonly pass: boolean;
  readonly received: readonly unknown[];
  readonly why?: string;
  /** The index of the chunk that did not match, for the arrow in the list. */
  readonly mismatch?: number;
}

/**
 * The stream yields chunks matching `chunks`, in this order, and then ends (unless `end: false`).
 * Each chunk is awaited on the stream's own event; with a system (an Inbox's, or `{ system }`)
 * the wait drives its virtual time, so a producer that sleeps between chunks runs at once.
 */
export async function toYield(this: MatcherState, received: unknown, chunks: unknown, options?: unknown): Promise<MatcherResult> {
  if (!Array.isArray(chunks)) throw new InvalidOptionError('toYield(chunks)', chunks, 'an array of the expected chunks (values or patterns)');
  const opts = optionsObject<YieldOptions>(options, 'toYield');
  knownKeys(opts, ['timeout', 'end', 'until', 'select', 'system', 'runtime'], 'toYield');
  if (opts.end !== undefined && typeof opts.end !== 'boolean') {
    throw new InvalidOptionError('toYield.end', opts.end, 'true (the stream must end after the chunks) or false');
  }
  const expected = chunks as readonly unknown[];
  const isInbox = received instanceof Inbox;
  // Each option belongs to one kind of subject.
  const misplaced = isInbox ? (['system', 'runtime'] as const) : (['until', 'select'] as const);
  const why = isInbox ? "nothing: an Inbox drives its own system's time" : 'nothing: it applies to an Inbox only';
  for (const key of misplaced) if (opts[key] !== undefined) throw new InvalidOptionError(`toYield.${key}`, opts[key], why);
  if (opts.system !== undefined && !(opts.system instanceof TestSystem)) throw new InvalidOptionError('toYield.system', opts.system, 'a TestSystem');
  if (opts.runtime !== undefined && !(opts.runtime instanceof Runtime)) throw new InvalidOptionError('toYield.runtime', opts.runtime, 'a Runtime');
  const end = opts.end ?? true;

  if (isInbox) {
    const { inbox, system } = inboxSubject(received, 'toYield');
    const timeout = timeoutOption(opts.timeout, 'toYield') ?? system.defaultTimeout;
    const verdict = await inboxVerdict(inbox, system, expected, { timeout, end, until: opts.until, select: opts.select });
    return report(this, verdict, expected, { what: 'the inbox', end, until: opts.until, history: system.history });
  }

  const source = isReadableLike(received) ? readableSource(received) : isAsyncIterable(received) ? iterableSource(received) : undefined;
  if (!source) throw new InvalidOptionError('expect(received).toYield(): received', received, SUBJECTS);
  const system = opts.system;
  const runtime = system?.runtime ?? opts.runtime;
  const timeout = timeoutOption(opts.timeout, 'toYield') ?? system?.defaultTimeout ?? DEFAULT_WAIT_TIMEOUT;
  const wait = (what: string, step: Promise<Step>): Promise<{ ok: true; value: Step } | Exclude<WaitOutcome, { ok: true }>> =>
    runtime ? waitForOutcome({ runtime, system }, what, step, timeout) : waitInRealTime(what, step, timeout);
  let verdict: Verdict | undefined;
  try {
    verdict = await streamVerdict(source, expected, end, wait);
  } finally {
    source.release(verdict?.pass !== true);
  }
  return report(this, verdict, expected, { what: source.description, end, history: runtime?.history });
}

type Wait = (what: string, step: Promise<Step>) => Promise<{ ok: true; value: Step } | Exclude<WaitOutcome, { ok: true }>>;

async function streamVerdict(source: ChunkSource, expected: readonly unknown[], end: boolean, wait: Wait): Promise<Verdict> {
  const received: unknown[] = [];
  for (let i = 0; i <= expected.length; i++) {
    const last = i === expected.length;
    if (last && !end) break;
    const outcome = await wait(last ? 'the end of the stream' : `chunk ${i + 1} of ${expected.length}`, source.next());
    if (!outcome.ok) return { pass: false, received, why: `the wait for ${last ? 'the end' : `chunk ${i + 1}`} ${describeWaitFailed(outcome)}` };
    const step = outcome.value;
    if (step.kind === 'error') return { pass: false, received, why: `the stream failed with ${describeValue(step.error)}` };
    if (step.kind === 'closed') return { pass: false, received, why: 'the stream was destroyed before it ended' };
    if (step.kind === 'end') return last ? { pass: true, received } : { pass: false, received, why: 'the stream ended' };
    received.push(step.value);
    if (last) return { pass: false, received, why: `the stream yielded ${describeValue(step.value)} where it should have ended`, mismatch: i };
    if (!chunkMatches(step.value, expected[i])) return { pass: false, received, why: `chunk ${i + 1} did not match`, mismatch: i };
  }
  return { pass: true, received };
}

async function inboxVerdict(
  inbox: Inbox,
  system: TestSystem,
  expected: readonly unknown[],
  { timeout, end, until, select }: { timeout: number; end: boolean; until: unknown; select: unknown },
): Promise<Verdict> {
  const isEnd = (m: unknown): boolean => until !== undefined && matches(m, until);
  // Messages that take part: the selected ones and the end message; the others stay in the inbox.
  const considered = (m: unknown): boolean => select === undefined || matches(m, select) || isEnd(m);
  const received: unknown[] = [];
  const take = async (what: string): Promise<{ ok: true; message: unknown } | { ok: false; why: string }> => {
    try {
      return { ok: true, message: await inbox.receive(considered, { timeout }) };
    } catch (error) {
      if (!(error instanceof WaitError) || (error.failure !== 'timeout' && error.failure !== 'deadlock')) throw error;
      const outcome = { ok: false as const, failure: error.failure, virtual: error.virtualElapsed, real: error.realElapsed, message: error.message };
      return { ok: false, why: `the wait for ${what} ${describeWaitFailed(outcome)}` };
    }
  };
  for (let i = 0; i < expected.length; i++) {
    const got = await take(`message ${i + 1}`);
    if (!got.ok) return { pass: false, received, why: got.why };
    if (isEnd(got.message) && !matches(got.message, expected[i])) return { pass: false, received, why: `the end message ${describeValue(got.message)} came` };
    received.push(got.message);
    if (!matches(got.message, expected[i])) return { pass: false, received, why: `message ${i + 1} did not match`, mismatch: i };
  }
  if (!end) return { pass: true, received };
  if (until !== undefined) {
    const got = await take('the end message');
    if (!got.ok) return { pass: false, received, why: got.why };
    if (isEnd(got.message)) return { pass: true, received };
    received.push(got.message);
    return { pass: false, received, why: `${describeValue(got.message)} came where the end message was expected`, mismatch: expected.length };
  }
  // No end message: the stream has ended when nothing more arrives by the time the system is idle.
  await quiescenceOf({ runtime: system.runtime, system }, timeout);
  const extra = inbox.messages.find(considered);
  if (extra === undefined) return { pass: true, received };
  return { pass: false, received: [...received, extra], why: `${describeValue(extra)} arrived after the last expected message`, mismatch: expected.length };
}

/** A byte chunk compared with a string or RegExp is read as UTF-8; everything else as `toReceive` patterns. */
function chunkMatches(chunk: unknown, pattern: unknown): boolean {
  if (chunk instanceof Uint8Array && (typeof pattern === 'string' || pattern instanceof RegExp)) return matches(Buffer.from(chunk).toString('utf8'), pattern);
  return matches(chunk, pattern);
}

function describeValue(value: unknown): string {
  if (value instanceof Uint8Array) return `<${value.constructor.name} ${JSON.stringify(Buffer.from(value).toString('utf8'))}>`;
  if (value instanceof Error) return `${value.name}: ${value.message}`;
  return inline(value);
}

function arrow(expectedOne: boolean): string {
  return expectedOne ? '   <- does not match' : '   <- unexpected';
}

function report(
  ctx: MatcherState,
  verdict: Verdict,
  expected: readonly unknown[],
  { what, end, until, history }: { what: string; end: boolean; until?: unknown; history: TestSystem['history'] | undefined },
): MatcherResult {
  const word = what === 'the inbox' ? 'message' : 'chunk';
  const count = (n: number): string => `${n} ${word}${n === 1 ? '' : 's'}`;
  const endWord = what === 'the inbox' ? 'nothing more' : 'end';
  const ending = !end ? '' : until !== undefined ? `, then a message matching ${describePattern(until)}` : `, then ${endWord}`;
  return result(verdict.pass, () => [
    hint(ctx, 'toYield', 'chunks'),
    '',
    `Expected: ${what} to ${ctx.isNot ? 'not ' : ''}yield ${count(expected.length)} in this order${ending}`,
    `Received: ${verdict.pass ? 'exactly that' : `${count(verdict.mismatch ?? verdict.received.length)} as expected, then ${verdict.why}`}`,
    '',
    `Expected ${word}s:`,
    ...(expected.length === 0 ? ['  (none)'] : expected.map((p, i) => `  ${i + 1}. ${describePattern(p)}`)),
    `Received ${word}s:`,
    ...(verdict.received.length === 0
      ? ['  (none)']
      : verdict.received.map((v, i) => `  ${i + 1}. ${describeValue(v)}${i === verdict.mismatch ? arrow(i < expected.length) : ''}`)),
    ...tailBlock(history),
  ]);
}
