import { deriveSeed, formatValue, InvalidOptionError, QuiesceError, SupervisorRef, type Random } from '@quiesce/runtime';
import { checkMilliseconds, checkOptions } from '@quiesce/runtime/internal';
import { countersOf } from '../fault.js';
import { resolveHost, type ChaosHost, type Host } from '../host.js';
import { CHAOS_KINDS } from '../kinds.js';
import { checkInteger } from '../options.js';
import type { ChaosProcess } from '../os/os-faults.js';
import { chaos as makeChaos, Chaos } from '../runtime/chaos.js';
import { processActions, treeActions, type MonkeyAction, type MonkeyContext } from './actions.js';
import { pickWeighted, type Profile, type Weights } from './profile.js';
import { checkSchedule, drawsOf, encodeSchedule, type FaultSchedule, type RecordedSchedule, type TakenAction } from './schedule.js';
import { treeMissing } from './tree.js';

/** An invariant: true or undefined holds; false, a string (what is wrong) or a throw is a violation. */
export type Invariant = () => boolean | string | void | Promise<boolean | string | void>;

export interface LivenessOptions {
  /** Virtual milliseconds the system has, once healed, to converge. Default 10000. */
  within?: number;
  /** Virtual milliseconds between convergence checks. Default 100. */
  tick?: number;
  /** The user's readiness predicate, on top of the target's (every permanent child running). */
  ready?: () => boolean | Promise<boolean>;
}

export interface MonkeyOptions {
  /** What the built-in actions aim at: a supervision tree, or OS processes the system spawned. */
  target?: SupervisorRef | readonly ChaosProcess[];
  /** More actions (or all of them, without a target). */
  actions?: readonly MonkeyAction[];
  /** Weights by action name, or a swarm profile (`swarm()`). Default: every action weighs 1. */
  profile?: Profile;
  /** Most actions in the safety phase. Default 100. */
  steps?: number;
  /** Most virtual milliseconds the safety phase runs. Default 60000. */
  duration?: number;
  /** Virtual milliseconds between two actions, drawn in [min, max]. Default { min: 10, max: 500 }. */
  gap?: { min: number; max: number };
  /** Checked after every action (once the system has reacted). Named by their key. */
  invariants?: Readonly<Record<string, Invariant>>;
  /** The liveness phase (see heal()). */
  liveness?: LivenessOptions;
  /** Use this chaos (and its faults) instead of a new one. */
  chaos?: Chaos;
  /**
   * Run exactly these actions (a report's `schedule`, a shrunk one, or its token) instead of
   * drawing them from the seed; `steps`, `duration`, `gap` and `profile` then play no part. A
   * step whose action is not enabled when its turn comes is skipped. Undefined: draw from the seed.
   */
  schedule?: FaultSchedule | string | undefined;
}

export interface Violation {
  readonly step: number;
  /** The invariant's name, or 'system' when the system itself failed under the monkey. */
  readonly invariant: string;
  readonly message: string;
  /** Virtual time. */
  readonly time: number;
}

export interface SafetyReport {
  readonly seed: number;
  readonly steps: number;
  /** Virtual milliseconds the phase took. */
  readonly elapsed: number;
  /** How often each action ran. */
  readonly actions: Readonly<Record<string, number>>;
  /** Faults injected by kind (see Chaos.counts). */
  readonly faults: Readonly<Record<string, number>>;
  /** The weights this seed used. */
  readonly profile: Weights;
  readonly violation: Violation | undefined;
  readonly ok: boolean;
  /** How to replay this run. */
  readonly replay: string;
  /** The actions taken, in order, with their draws, gaps and virtual times: `monkey(system, { schedule })` runs them again. */
  readonly schedule: RecordedSchedule;
  /** The schedule as a token (`schedule: token` replays it). */
  readonly token: string;
  /** Scheduled steps skipped because their action was not enabled (0 unless run from a schedule). */
  readonly skipped: number;
}

export interface LivenessReport {
  readonly converged: boolean;
  /** Virtual milliseconds from the heal to convergence (or to giving up). */
  readonly after: number;
  /** What was still wrong when it gave up. */
  readonly missing: readonly string[];
}

export interface MonkeyReport extends SafetyReport {
  readonly liveness: LivenessReport | undefined;
}

const KEYS = ['target', 'actions', 'profile', 'steps', 'duration', 'gap', 'invariants', 'liveness', 'chaos', 'schedule'] as const;

/**
 * A monkey over a target (VOPR-style): a safety phase of weighted actions with preconditions,
 * bounded in steps and virtual time, checking the user's invariants after every action; then a
 * liveness phase that heals everything and requires convergence within a bounded virtual time.
 * Every choice comes from the system's seed. See docs/chaos.md.
 */
export class Monkey {
  readonly chaos: Chaos;
  readonly #host: Host;
  readonly #actions: readonly MonkeyAction[];
  readonly #weights: Weights;
  readonly #steps: number;
  readonly #duration: number;
  readonly #gap: { min: number; max: number };
  readonly #invariants: ReadonlyArray<[string, Invariant]>;
  readonly #liveness: Required<Omit<LivenessOptions, 'ready'>> & Pick<LivenessOptions, 'ready'>;
  readonly #target: SupervisorRef | readonly ChaosProcess[] | undefined;
  readonly #random: Random;
  readonly #schedule: FaultSchedule | undefined;
  #safety: SafetyReport | undefined;

  /** @internal use monkey(system, options). */
  constructor(host: Host, options: MonkeyOptions) {
    this.#host = host;
    const o = parseOptions(host, options);
    this.chaos = o.chaos;
    this.#target = o.target;
    this.#actions = o.actions;
    this.#steps = o.steps;
    this.#duration = o.duration;
    this.#gap = o.gap;
    this.#invariants = o.invariants;
    this.#liveness = o.liveness;
    this.#schedule = o.schedule;
    this.#random = host.random.fork(`monkey#${++countersOf(host.runtime).chaos}`);
    const names = o.actions.map((a) => a.name);
    const uniform = Object.fromEntries(names.map((n) => [n, 1]));
    const drawn = typeof o.profile === 'function' ? o.profile(this.#random.fork('profile'), names) : (o.profile ?? uniform);
    this.#weights = checkWeights(drawn, names);
    host.runtime.record(CHAOS_KINDS.profile, 'monkey', { weights: this.#weights });
  }

  /** The weights this seed uses, by action. */
  get profile(): Weights {
    return this.#weights;
  }

  /** The safety phase: actions, each followed by its gap of virtual time and the invariants. Stops at the first violation. */
  async run(): Promise<SafetyReport> {
    const host = this.#host;
    const start = host.runtime.now();
    const random = this.#random.fork('steps');
    const counts: Record<string, number> = {};
    const taken: TakenAction[] = [];
    const planned = this.#schedule?.steps;
    let violation: Violation | undefined;
    let step = 0;
    let skipped = 0;
    for (let next = 0; planned ? next < planned.length : step < this.#steps && host.runtime.now() - start < this.#duration; next++) {
      // Each step draws from its own stream, so a schedule with steps cut out keeps the others' draws.
      let draws: number | 'lowest' = deriveSeed(random.seed, `draws.${step + 1}`);
      let action: MonkeyAction | undefined;
      let gap: number;
      const ctxAt = (d: number | 'lowest'): MonkeyContext => ({ chaos: this.chaos, random: drawsOf(d), step: step + 1, now: () => host.runtime.now() });
      if (planned) {
        const s = planned[next]!;
        ({ draws, gap } = s);
        action = this.#actions.find((a) => a.name === s.action);
        if (action && !(action.enabled?.(ctxAt(draws)) ?? true)) {
          skipped++;
          continue;
        }
      } else {
        const ctx = ctxAt(draws);
        const weights = this.#actions.map((a) => ((this.#weights[a.name] ?? 0) > 0 && (a.enabled?.(ctx) ?? true) ? this.#weights[a.name]! : 0));
        gap = random.between(this.#gap.min, this.#gap.max);
        if (weights.some((w) => w > 0)) action = this.#actions[pickWeighted(random, weights)]!;
      }
      step++;
      const at = host.runtime.now();
      if (action) {
        counts[action.name] = (counts[action.name] ?? 0) + 1;
        let detail: string | undefined;
        try {
          const said = await action.run(ctxAt(draws));
          detail = typeof said === 'string' ? said : undefined;
          host.runtime.record(CHAOS_KINDS.step, 'monkey', { step, action: action.name, ...(detail !== undefined ? { detail } : {}) });
        } catch (error) {
          taken.push({ step, action: action.name, draws, gap, at });
          violation = this.#violate(step, `action ${action.name}`, error);
          break;
        }
        taken.push({ step, action: action.name, draws, gap, at, ...(detail !== undefined ? { detail } : {}) });
      } else {
        host.runtime.record(CHAOS_KINDS.step, 'monkey', { step, action: 'none' });
        taken.push({ step, action: 'none', draws, gap, at });
      }
      try {
        await host.advance(gap);
      } catch (error) {
        violation = this.#violate(step, 'system', error);
        break;
      }
      violation = await this.#checkInvariants(step);
      if (violation) break;
    }
    const schedule: RecordedSchedule = { seed: host.seed, steps: taken };
    this.#safety = {
      seed: host.seed,
      steps: step,
      elapsed: host.runtime.now() - start,
      actions: sortKeys(counts),
      faults: this.chaos.counts(),
      profile: this.#weights,
      violation,
      ok: violation === undefined,
      replay: host.replay(),
      schedule,
      token: encodeSchedule(schedule),
      skipped,
    };
    return this.#safety;
  }

  /**
   * The liveness phase: heal every fault, then give the system `liveness.within` virtual
   * milliseconds to converge — the target's permanent children all running (or its processes
   * alive) and the user's `ready` true — checked every `liveness.tick`.
   */
  async heal(): Promise<LivenessReport> {
    const host = this.#host;
    this.chaos.heal();
    host.runtime.record(CHAOS_KINDS.liveness, 'monkey', { within: this.#liveness.within });
    const start = host.runtime.now();
    let missing: string[] = [];
    for (;;) {
      try {
        await host.advance(0);
        missing = await this.#missing();
      } catch (error) {
        missing = [`the system failed: ${describeError(error)}`];
        break;
      }
      if (missing.length === 0 || host.runtime.now() - start >= this.#liveness.within) break;
      try {
        await host.advance(Math.min(this.#liveness.tick, start + this.#liveness.within - host.runtime.now()));
      } catch (error) {
        missing = [`the system failed: ${describeError(error)}`];
        break;
      }
    }
    const report = { converged: missing.length === 0, after: host.runtime.now() - start, missing };
    host.runtime.record(CHAOS_KINDS.converged, 'monkey', report);
    return report;
  }

  /** Both phases: the safety phase, then (if it held) the liveness phase. `ok` only if both held. */
  async check(): Promise<MonkeyReport> {
    const safety = await this.run();
    const liveness = safety.ok ? await this.heal() : undefined;
    return { ...safety, liveness, ok: safety.ok && (liveness?.converged ?? false) };
  }

  async #missing(): Promise<string[]> {
    const missing: string[] = [];
    const target = this.#target;
    if (target instanceof SupervisorRef) missing.push(...treeMissing(target));
    else if (target) for (const p of target) if (!p.alive()) missing.push(`${p.label} is not running`);
    const ready = this.#liveness.ready;
    if (ready && !(await ready())) missing.push('ready() is false');
    return missing;
  }

  async #checkInvariants(step: number): Promise<Violation | undefined> {
    for (const [name, invariant] of this.#invariants) {
      let verdict: boolean | string | void;
      try {
        verdict = await invariant();
      } catch (error) {
        return this.#violate(step, name, error);
      }
      if (verdict === false) return this.#violate(step, name, 'returned false');
      if (typeof verdict === 'string') return this.#violate(step, name, verdict);
    }
    return undefined;
  }

  #violate(step: number, invariant: string, cause: unknown): Violation {
    const message = typeof cause === 'string' ? cause : describeError(cause);
    const violation = { step, invariant, message, time: this.#host.runtime.now() };
    this.#host.runtime.record(CHAOS_KINDS.violation, 'monkey', violation);
    return violation;
  }
}

/** A monkey over a test's system (or a bare Runtime): see MonkeyOptions. */
export function monkey(host: ChaosHost, options: MonkeyOptions): Monkey {
  return new Monkey(resolveHost('monkey(host)', host), options);
}

/** One line per fact: the seed, steps, faults, the violation or the liveness verdict, the replay command. */
export function describeReport(report: SafetyReport & { liveness?: LivenessReport | undefined }): string {
  const lines = [
    `seed ${report.seed}: ${report.steps} steps in ${report.elapsed} ms of virtual time`,
    `actions: ${formatCounts(report.actions)}`,
    `faults: ${formatCounts(report.faults)}`,
  ];
  const v = report.violation;
  if (v) lines.push(`violation at step ${v.step} (${v.time} ms): ${v.invariant}: ${v.message}`);
  if (report.liveness) {
    lines.push(
      report.liveness.converged
        ? `converged ${report.liveness.after} ms after the heal`
        : `did not converge within ${report.liveness.after} ms: ${report.liveness.missing.join('; ')}`,
    );
  }
  lines.push(`replay: ${report.replay}`);
  return lines.join('\n');
}

function formatCounts(counts: Readonly<Record<string, number>>): string {
  const entries = Object.entries(counts);
  return entries.length === 0 ? 'none' : entries.map(([k, v]) => `${k} ${v}`).join(', ');
}

function describeError(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message.split('\n')[0]}` : formatValue(error);
}

function sortKeys(counts: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(counts).sort(([a], [b]) => (a < b ? -1 : 1)));
}

function checkWeights(weights: unknown, names: readonly string[]): Weights {
  if (typeof weights !== 'object' || weights === null || Array.isArray(weights)) {
    throw new InvalidOptionError('monkey options.profile', weights, 'weights by action name ({ kill: 3, hang: 1 }) or a profile function returning them');
  }
  for (const [name, weight] of Object.entries(weights)) {
    if (!names.includes(name)) {
      throw new InvalidOptionError(`monkey options.profile.${name}`, weight, `the weight of an action the monkey has (${names.join(', ')})`);
    }
    if (typeof weight !== 'number' || !(weight >= 0) || !Number.isFinite(weight)) {
      throw new InvalidOptionError(`monkey options.profile.${name}`, weight, 'a finite weight >= 0');
    }
  }
  return { ...(weights as Weights) };
}

interface Parsed {
  chaos: Chaos;
  target: SupervisorRef | readonly ChaosProcess[] | undefined;
  actions: MonkeyAction[];
  profile: Profile | undefined;
  steps: number;
  duration: number;
  gap: { min: number; max: number };
  invariants: Array<[string, Invariant]>;
  liveness: Required<Omit<LivenessOptions, 'ready'>> & Pick<LivenessOptions, 'ready'>;
  schedule: FaultSchedule | undefined;
}

function parseOptions(host: Host, options: MonkeyOptions): Parsed {
  checkOptions('monkey options', options, KEYS);
  if (options.chaos !== undefined && (!(options.chaos instanceof Chaos) || options.chaos.runtime !== host.runtime)) {
    throw new InvalidOptionError('monkey options.chaos', options.chaos, "a chaos of this monkey's system (chaos(system))");
  }
  const target = options.target;
  const actions: MonkeyAction[] = [];
  if (target instanceof SupervisorRef) {
    if (target.runtime !== host.runtime) {
      throw new QuiesceError(
        'NOT_OWNED',
        `monkey options.target: the supervisor ${target.label} belongs to another runtime; chaos only touches what the current system started`,
      );
    }
    actions.push(...treeActions(target));
  } else if (Array.isArray(target)) {
    for (const [i, p] of target.entries()) {
      if (host.system?.owns(p)) continue;
      const message = `monkey options.target[${i}]: not an OS process this system spawned; chaos only touches what the current system started`;
      throw new QuiesceError('NOT_OWNED', message);
    }
    actions.push(...processActions(target as readonly ChaosProcess[]));
  } else if (target !== undefined) {
    throw new InvalidOptionError('monkey options.target', target, 'a SupervisorRef, or an array of OS processes the system spawned');
  }
  if (options.actions !== undefined) {
    if (!Array.isArray(options.actions)) throw new InvalidOptionError('monkey options.actions', options.actions, 'an array of actions { name, run, enabled? }');
    for (const [i, a] of options.actions.entries()) {
      const action = a as Partial<MonkeyAction>;
      const named = typeof a === 'object' && a !== null && typeof action.name === 'string' && action.name !== '';
      if (!named || typeof action.run !== 'function' || (action.enabled !== undefined && typeof action.enabled !== 'function')) {
        throw new InvalidOptionError(`monkey options.actions[${i}]`, a, 'an action { name, run(ctx), enabled?(ctx) }');
      }
      if (actions.some((b) => b.name === action.name)) {
        throw new InvalidOptionError(`monkey options.actions[${i}].name`, action.name, 'a name no other action has');
      }
      actions.push(a);
    }
  }
  if (actions.length === 0) {
    throw new InvalidOptionError('monkey options.actions', options.actions, 'at least one action (give a target for the built-in ones, or actions)');
  }
  const profile = options.profile;
  if (profile !== undefined && typeof profile !== 'function' && (typeof profile !== 'object' || profile === null)) {
    throw new InvalidOptionError('monkey options.profile', profile, 'weights by action name, or a profile function such as swarm()');
  }
  const steps = options.steps === undefined ? 100 : checkInteger('monkey options.steps', options.steps, 1);
  const duration = options.duration === undefined ? 60_000 : checkMilliseconds('monkey options.duration', options.duration, { positive: true, max: Infinity });
  const gap = options.gap ?? { min: 10, max: 500 };
  checkOptions('monkey options.gap', gap, ['min', 'max']);
  const min = checkInteger('monkey options.gap.min', gap.min, 0);
  const max = checkInteger('monkey options.gap.max', gap.max, min);
  const invariants = options.invariants ?? {};
  checkOptions('monkey options.invariants', invariants, Object.keys(invariants));
  for (const [name, inv] of Object.entries(invariants)) {
    if (typeof inv !== 'function') throw new InvalidOptionError(`monkey options.invariants.${name}`, inv, 'a function () => boolean | string | void');
  }
  const live = options.liveness ?? {};
  checkOptions('monkey options.liveness', live, ['within', 'tick', 'ready']);
  const within = live.within === undefined ? 10_000 : checkMilliseconds('monkey options.liveness.within', live.within);
  const tick = live.tick === undefined ? 100 : checkMilliseconds('monkey options.liveness.tick', live.tick, { positive: true });
  if (live.ready !== undefined && typeof live.ready !== 'function') {
    throw new InvalidOptionError('monkey options.liveness.ready', live.ready, 'a function () => boolean');
  }
  const names = actions.map((a) => a.name);
  const schedule = options.schedule === undefined ? undefined : checkSchedule('monkey options.schedule', options.schedule, names, host.seed);
  // Made last: a refused monkey leaves no chaos behind.
  const c = options.chaos ?? makeChaos(host.system ?? host.runtime, { label: 'monkey' });
  return {
    chaos: c,
    target,
    actions,
    profile,
    steps,
    duration,
    gap: { min, max },
    invariants: Object.entries(invariants),
    liveness: { within, tick, ...(live.ready ? { ready: live.ready } : {}) },
    schedule,
  };
}
