import { InvalidOptionError, Random } from '@quiesce/runtime';
import { checkOptions } from '@quiesce/runtime/internal';

/** One step of a fault schedule: which action, the seed of its own draws, and the virtual time that follows it. */
export interface ScheduledAction {
  /** The action's name; `'none'` only lets the gap pass (no action was enabled). */
  readonly action: string;
  /**
   * The seed of the action's own random stream (which worker, how long a delay), so cutting other
   * steps out never changes its draws; `'lowest'`: every draw is its lowest (the first running
   * worker, the smallest value), what shrinking simplifies parameters to.
   */
  readonly draws: number | 'lowest';
  /** Virtual milliseconds after the action before the invariants are checked and the next step runs. */
  readonly gap: number;
}

/** The actions of a safety phase in order: what `monkey(system, { schedule })` runs instead of drawing from the seed. */
export interface FaultSchedule {
  /** The system's seed it was recorded under; it replays on a system with this seed. */
  readonly seed: number;
  readonly steps: readonly ScheduledAction[];
}

/** A step as a run took it. */
export interface TakenAction extends ScheduledAction {
  /** 1-based. */
  readonly step: number;
  /** Virtual time (the runtime's clock) when the action ran. */
  readonly at: number;
  /** What it aimed at, in the action's words (`pool/w1`, `2 to pool/b`). */
  readonly detail?: string;
}

/** A safety phase's actions as they were taken: `report.schedule`. */
export interface RecordedSchedule extends FaultSchedule {
  readonly steps: readonly TakenAction[];
}

/** A Random whose every draw is the lowest: pick() takes the first item, between() the minimum. */
class LowestRandom extends Random {
  constructor() {
    super(0);
  }
  override nextU32(): number {
    return 0;
  }
}

/** The random stream an action draws from at a step. */
export function drawsOf(draws: number | 'lowest'): Random {
  return draws === 'lowest' ? new LowestRandom() : new Random(draws);
}

const MAX_GAP = 1_000_000_000;
const ACCEPTED = 'a fault schedule { seed, steps: [{ action, draws, gap }] } or its token "f1:<seed>:<steps>" (report.token, printed by shrinking)';

/**
 * `f1:<seed>:<name>/<draws>/<gap>,…`: numbers in base 36, `_` for lowest draws, names URI-encoded
 * (so `/`, `,` and `:` in a name never split it).
 */
export function encodeSchedule(schedule: FaultSchedule): string {
  const steps = schedule.steps.map((s) => `${encodeURIComponent(s.action)}/${s.draws === 'lowest' ? '_' : s.draws.toString(36)}/${s.gap.toString(36)}`);
  return `f1:${schedule.seed.toString(36)}:${steps.join(',')}`;
}

function decodeSchedule(where: string, token: string): FaultSchedule {
  const match = /^f1:([0-9a-z]{1,7}):(.*)$/.exec(token);
  if (!match) throw new InvalidOptionError(where, token, ACCEPTED);
  const seed = Number.parseInt(match[1]!, 36);
  const steps: ScheduledAction[] = [];
  for (const part of match[2] === '' ? [] : match[2]!.split(',')) {
    const fields = part.split('/');
    let action = '';
    try {
      action = decodeURIComponent(fields[0] ?? '');
    } catch {
      action = '';
    }
    const [draws, gap] = [fields[1] ?? '', fields[2] ?? ''];
    const number = /^[0-9a-z]{1,7}$/;
    if (fields.length !== 3 || action === '' || (draws !== '_' && !number.test(draws)) || !number.test(gap))
      throw new InvalidOptionError(where, token, ACCEPTED);
    steps.push({ action, draws: draws === '_' ? 'lowest' : Number.parseInt(draws, 36), gap: Number.parseInt(gap, 36) });
  }
  return { seed, steps };
}

/** A schedule (or its token) checked against the monkey's actions and its system's seed. */
export function checkSchedule(where: string, value: unknown, actions: readonly string[], seed: number): FaultSchedule {
  const schedule = typeof value === 'string' ? decodeSchedule(where, value) : value;
  if (typeof schedule !== 'object' || schedule === null || Array.isArray(schedule)) throw new InvalidOptionError(where, value, ACCEPTED);
  checkOptions(where, schedule as FaultSchedule, ['seed', 'steps']);
  const s = schedule as FaultSchedule;
  if (!Number.isInteger(s.seed) || s.seed < 0 || s.seed > 0xffffffff)
    throw new InvalidOptionError(`${where}.seed`, s.seed, 'a seed (an integer from 0 to 4294967295)');
  if (s.seed !== seed) {
    throw new InvalidOptionError(
      `${where}.seed`,
      s.seed,
      `the seed of this monkey's system (${seed}): a schedule replays on a system with the seed it was recorded under`,
    );
  }
  if (!Array.isArray(s.steps)) throw new InvalidOptionError(`${where}.steps`, s.steps, 'an array of steps { action, draws, gap }');
  const steps = s.steps.map((step: unknown, i): ScheduledAction => {
    const at = `${where}.steps[${i}]`;
    if (typeof step !== 'object' || step === null) throw new InvalidOptionError(at, step, 'a step { action, draws, gap }');
    const { action, draws, gap } = step as ScheduledAction;
    if (typeof action !== 'string' || (action !== 'none' && !actions.includes(action))) {
      throw new InvalidOptionError(`${at}.action`, action, `the name of one of the monkey's actions (${actions.join(', ')}) or 'none'`);
    }
    if (draws !== 'lowest' && !(Number.isInteger(draws) && draws >= 0 && draws <= 0xffffffff)) {
      throw new InvalidOptionError(`${at}.draws`, draws, "a seed (an integer from 0 to 4294967295) or 'lowest'");
    }
    if (!Number.isInteger(gap) || gap < 0 || gap > MAX_GAP)
      throw new InvalidOptionError(`${at}.gap`, gap, `virtual milliseconds, an integer from 0 to ${MAX_GAP}`);
    return { action, draws, gap };
  });
  return { seed: s.seed, steps };
}

/** Safety phase or liveness phase, and which invariant: shrinking keeps a candidate only if it fails the same way. */
export function failureKind(report: {
  ok: boolean;
  violation?: { invariant: string } | undefined;
  liveness?: { converged: boolean } | undefined;
}): string | undefined {
  if (report.violation) return `the invariant '${report.violation.invariant}'`;
  if (report.liveness && !report.liveness.converged) return 'the liveness phase';
  return report.ok ? undefined : 'the run';
}

/**
 * A schedule as a person reads it: one line per action with its virtual time, what it aimed at
 * and whether its draws were simplified, then what failed.
 */
export function formatFaultTimeline(steps: readonly TakenAction[], failure: string): string {
  const width = Math.max(4, ...steps.map((s) => s.action.length));
  const timeWidth = Math.max(1, ...steps.map((s) => String(s.at).length));
  const lines = steps.map((s) => {
    const what = s.action === 'none' ? '(nothing enabled: time passes)' : (s.detail ?? '');
    return `  at ${String(s.at).padStart(timeWidth)} ms  ${s.action.padEnd(width)}  ${what}`.trimEnd();
  });
  if (steps.length === 0) lines.push('  (no action: it fails without a fault)');
  lines.push(`  ✗ ${failure}`);
  return lines.join('\n');
}
