import { InvalidOptionError } from '../errors.js';
import { checkKnownKeys, checkObject, checkOptions } from '../checks/options.js';
import type { Clock } from '../kernel/clock.js';
import { History } from '../kernel/history.js';
import { fifo, replay, seededRandom, type SchedulingPolicy } from '../kernel/scheduler.js';
import { Pid } from './pid.js';

/**
 * A runtime's options and the checks of the arguments its methods take: every one names the
 * option, the value received and what is accepted (InvalidOptionError).
 */

export type SchedulerOption = 'fifo' | { random: number } | { replay: string } | SchedulingPolicy;

export interface RuntimeOptions {
  /** 'real' (default) or 'virtual' time, or a Clock of your own. */
  clock?: 'real' | 'virtual' | Clock;
  /** Seed for every random choice the runtime makes. Default 0. */
  seed?: number;
  /** Which ready delivery runs next. Default FIFO. */
  scheduler?: SchedulerOption;
  /** Record every message send in the history (off by default: it is verbose). */
  recordMessages?: boolean;
  /** Append to this history instead of a fresh one (the harness shares one per test). */
  history?: History;
  /**
   * Told about every OS process group this runtime starts, so that the groups die even if this
   * process is killed with SIGKILL (see `processReaper()`). Default: none.
   */
  reaper?: GroupReaper;
  /**
   * How much the runtime keeps of what is over, for runtimes that run a long time in production
   * (a test's runtime keeps everything, the default):
   * - `events`: the history keeps the last `events` events, at most twice that (not with `history`,
   *   which is bounded by its own `keep`);
   * - `exited`: the last `exited` exited processes keep their exit reason, label and name; older
   *   ones are forgotten, as OTP forgets every dead process (`exitReason` undefined, a link or
   *   monitor to one gets `noproc`).
   */
  retain?: RetainOptions;
}

/** See RuntimeOptions.retain. Each: an integer >= 1, or undefined to keep everything. */
export interface RetainOptions {
  events?: number;
  exited?: number;
}

/** Something that kills registered process groups if this process dies (see ProcessGroupReaper). */
export interface GroupReaper {
  register(pgid: number): void;
  unregister(pgid: number): void;
}

export function toPolicy(option: SchedulerOption | undefined): SchedulingPolicy {
  if (option === undefined || option === 'fifo') return fifo();
  if ('random' in option) return seededRandom(option.random);
  if ('replay' in option) return replay(option.replay);
  return option;
}

const RUNTIME_KEYS = ['clock', 'seed', 'scheduler', 'recordMessages', 'history', 'reaper', 'retain'] as const;
const SPAWN_KEYS = ['link', 'trapExit', 'name', 'label', 'init'] as const;

export function validateRuntimeOptions(options: RuntimeOptions): void {
  checkObject('Runtime options', options);
  checkKnownKeys('Runtime options', options, RUNTIME_KEYS);
  const { clock, seed, scheduler, recordMessages, history } = options;
  if (
    clock !== undefined &&
    clock !== 'real' &&
    clock !== 'virtual' &&
    !(typeof clock === 'object' && clock !== null && typeof (clock as Clock).setTimer === 'function')
  ) {
    throw new InvalidOptionError('clock', clock, "'real', 'virtual' or a Clock");
  }
  if (seed !== undefined && !(Number.isInteger(seed) && seed >= 0 && seed <= 0xffffffff)) {
    throw new InvalidOptionError('seed', seed, 'an integer from 0 to 4294967295');
  }
  if (scheduler !== undefined) {
    const ok =
      scheduler === 'fifo' ||
      (typeof scheduler === 'object' &&
        scheduler !== null &&
        (('random' in scheduler && Number.isInteger(scheduler.random) && scheduler.random >= 0 && scheduler.random <= 0xffffffff) ||
          ('replay' in scheduler && typeof scheduler.replay === 'string') ||
          ('choose' in scheduler && typeof scheduler.choose === 'function')));
    if (!ok) throw new InvalidOptionError('scheduler', scheduler, "'fifo', { random: seed }, { replay: token } or a SchedulingPolicy");
    if (typeof scheduler === 'object' && 'replay' in scheduler) replay(scheduler.replay); // validates the token now
  }
  if (recordMessages !== undefined && typeof recordMessages !== 'boolean') throw new InvalidOptionError('recordMessages', recordMessages, 'a boolean');
  if (history !== undefined && !(history instanceof History)) throw new InvalidOptionError('history', history, 'a History');
  checkRetain(options.retain, history !== undefined);
  const { reaper } = options;
  if (
    reaper !== undefined &&
    !(typeof reaper === 'object' && reaper !== null && typeof reaper.register === 'function' && typeof reaper.unregister === 'function')
  ) {
    throw new InvalidOptionError('reaper', reaper, 'an object with register(pgid) and unregister(pgid), e.g. processReaper()');
  }
}

/** The options of `spawn`, checked (their types live beside `spawn`, in runtime.ts). */
export function validateSpawnOptions(options: { link?: unknown; trapExit?: unknown; name?: unknown; label?: unknown; init?: unknown }): void {
  checkObject('spawn options', options);
  checkKnownKeys('spawn options', options, SPAWN_KEYS);
  if (options.link !== undefined && !(options.link instanceof Pid)) throw new InvalidOptionError('link', options.link, 'a Pid');
  if (options.trapExit !== undefined && typeof options.trapExit !== 'boolean') throw new InvalidOptionError('trapExit', options.trapExit, 'a boolean');
  if (options.name !== undefined && (typeof options.name !== 'string' || options.name === ''))
    throw new InvalidOptionError('name', options.name, 'a non-empty string');
  if (options.label !== undefined && typeof options.label !== 'string') throw new InvalidOptionError('label', options.label, 'a string');
  if (options.init !== undefined && typeof options.init !== 'function') throw new InvalidOptionError('init', options.init, 'a function (ctx) => void');
}

/** A Pid where one is required: anything else is a caller's mistake, named in the error. */
export function checkPid(where: string, value: unknown): Pid {
  if (!(value instanceof Pid)) throw new InvalidOptionError(where, value, 'a Pid');
  return value;
}

/** A process to address: a Pid or a registered name. */
export function checkTarget(operation: string, target: unknown): void {
  if (!(target instanceof Pid) && typeof target !== 'string') throw new InvalidOptionError(`${operation}(target)`, target, 'a Pid or a registered name');
}

/** The optional sending process of an operation. */
export function checkSender(operation: string, from: unknown): void {
  if (from !== undefined && !(from instanceof Pid)) throw new InvalidOptionError(`${operation}(from)`, from, 'a Pid (the sending process) or undefined');
}

export function checkTimerArguments(delayMs: unknown, fn: unknown, owner: unknown): void {
  if (typeof delayMs !== 'number') throw new InvalidOptionError('setTimer(delayMs)', delayMs, 'a number of milliseconds');
  if (typeof fn !== 'function') throw new InvalidOptionError('setTimer(fn)', fn, 'a function');
  if (owner !== undefined) checkPid('setTimer(owner)', owner);
}

function checkRetain(retain: RetainOptions | undefined, historyGiven: boolean): void {
  if (retain === undefined) return;
  checkOptions('Runtime options.retain', retain, ['events', 'exited']);
  for (const key of ['events', 'exited'] as const) {
    const value = retain[key];
    if (value !== undefined && !(Number.isSafeInteger(value) && value >= 1))
      throw new InvalidOptionError(`retain.${key}`, value, `an integer >= 1 (how many ${key === 'events' ? 'history events' : 'exited processes'} to keep)`);
  }
  if (historyGiven && retain.events !== undefined)
    throw new InvalidOptionError('retain.events', retain.events, 'nothing when `history` is given (bound that History with its own keep)');
}
