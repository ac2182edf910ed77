import { describePattern, describeQuiescence, matches, WaitError, describeWaitFailed, quiescenceOf } from '@quiesce/harness';
import type { MatcherState } from 'vitest';
import type { ReceiveOptions } from '../matcher-types.js';
import { knownKeys, optionsObject, timeoutOption } from '../options/validate.js';
import { hint, inline, type MatcherResult, result, tailBlock } from '../report.js';
import { inboxSubject } from '../subjects.js';

const ANY = (): boolean => true;

export async function toReceive(this: MatcherState, received: unknown, ...args: unknown[]): Promise<MatcherResult> {
  const { inbox, system } = inboxSubject(received, 'toReceive');
  const pattern = args.length > 0 && args[0] !== undefined ? args[0] : ANY;
  const opts = optionsObject<ReceiveOptions>(args[1], 'toReceive');
  knownKeys(opts, ['timeout'], 'toReceive');
  const timeout = timeoutOption(opts.timeout, 'toReceive') ?? system.defaultTimeout;
  const wanted = pattern === ANY ? 'any message' : `a message matching ${describePattern(pattern)}`;
  const pending = (): string[] => (inbox.messages.length === 0 ? ['  (none)'] : inbox.messages.map((m) => `  ${inline(m)}`));

  if (this.isNot) {
    // inbox.refute's rule: wait for durable idle (the clock untouched), then look.
    const quiet = await quiescenceOf({ runtime: system.runtime, system }, timeout);
    const found = inbox.messages.find((m) => matches(m, pattern));
    const pass = found !== undefined;
    return result(pass, () => [
      hint(this, 'toReceive', 'pattern'),
      '',
      `Expected no ${wanted.replace(/^a message|^any message/, 'message')} (${describeQuiescence(quiet)}), but received:`,
      `  ${inline(found)}`,
      ...tailBlock(system.history),
    ]);
  }

  let why: string | undefined;
  let got: unknown;
  try {
    got = await inbox.receive(pattern, { timeout });
  } catch (error) {
    if (!(error instanceof WaitError) || (error.failure !== 'timeout' && error.failure !== 'deadlock')) throw error;
    why = describeWaitFailed({ ok: false, failure: error.failure, virtual: error.virtualElapsed, real: error.realElapsed, message: error.message });
  }
  const pass = why === undefined;
  return result(pass, () => [
    hint(this, 'toReceive', 'pattern'),
    '',
    pass ? `Expected not to receive ${wanted}, but received ${inline(got)}.` : `Expected to receive ${wanted}, but the wait ${why}.`,
    '',
    `Messages in the inbox (${inbox.messages.length}), none matching:`,
    ...pending(),
    ...tailBlock(system.history),
  ]);
}
