import { InvalidOptionError, type SchedulerOption } from '@quiesce/runtime';
import { checkMilliseconds, checkOptions } from '@quiesce/runtime/internal';

export interface TestSystemOptions {
  /** The test's seed. Default: derived from the run seed (QUIESCE_SEED) and `testId`. */
  seed?: number;
  /** A stable id for the test (file and full name); names the seed and the replay command. */
  testId?: string;
  /** The test file, for the replay command. */
  file?: string;
  /** The test's full name, for the replay command. */
  testName?: string;
  /** Default 'virtual'. */
  clock?: 'virtual' | 'real';
  /** Delivery order; default FIFO. `{ random: seed }` and `{ replay: token }` explore interleavings. */
  scheduler?: SchedulerOption;
  /** The test's AbortSignal: every wait gives up when it aborts. */
  signal?: AbortSignal;
  /** Record every message send in the history. */
  recordMessages?: boolean;
  /** Do not fail the test when a started tree exits on its own (the test traps exits). Default false. */
  trapExits?: boolean;
  /** Default timeout of every wait, in ms (virtual and real, see WaitOptions). Default 5000. */
  timeout?: number;
  /**
   * Real milliseconds with no event after which negatives (`.not.toRestart`, `inbox.refute`,
   * `settle`) decide while OS processes or other external actors are live. A closed system
   * decides at durable idleness instead, exactly. Default 100.
   */
  quietPeriod?: number;
}

const SYSTEM_KEYS = ['seed', 'testId', 'file', 'testName', 'clock', 'scheduler', 'signal', 'recordMessages', 'trapExits', 'timeout', 'quietPeriod'] as const;

export function validateSystemOptions(options: TestSystemOptions): void {
  // A typo (`timout`) is an error, not the default: the rest (scheduler, recordMessages) the runtime checks.
  checkOptions('TestSystem options', options, SYSTEM_KEYS);
  const { seed, testId, clock, timeout, trapExits, signal, file, testName, quietPeriod } = options;
  if (quietPeriod !== undefined) checkMilliseconds('quietPeriod', quietPeriod);
  if (seed !== undefined && !(Number.isInteger(seed) && seed >= 0 && seed <= 0xffffffff))
    throw new InvalidOptionError('seed', seed, 'an integer from 0 to 4294967295');
  if (testId !== undefined && typeof testId !== 'string') throw new InvalidOptionError('testId', testId, 'a string');
  if (file !== undefined && typeof file !== 'string') throw new InvalidOptionError('file', file, 'a string');
  if (testName !== undefined && typeof testName !== 'string') throw new InvalidOptionError('testName', testName, 'a string');
  if (clock !== undefined && clock !== 'virtual' && clock !== 'real') throw new InvalidOptionError('clock', clock, "'virtual' or 'real'");
  if (timeout !== undefined) checkMilliseconds('timeout', timeout);
  if (trapExits !== undefined && typeof trapExits !== 'boolean') throw new InvalidOptionError('trapExits', trapExits, 'a boolean');
  if (signal !== undefined && !(signal instanceof AbortSignal)) throw new InvalidOptionError('signal', signal, 'an AbortSignal');
}
