import type { Random, SupervisorRef } from '@quiesce/runtime';
import { InjectedFault } from '../errors.js';
import type { Fault } from '../fault.js';
import type { ChaosProcess } from '../os/os-faults.js';
import type { Chaos } from '../runtime/chaos.js';
import { runningWorkers } from './tree.js';

/** What an action sees at its step. */
export interface MonkeyContext {
  readonly chaos: Chaos;
  /** The action's draws (which worker, how long a delay): this step's own stream of the monkey's seed (see FaultSchedule). */
  readonly random: Random;
  /** 1-based. */
  readonly step: number;
  now(): number;
}

/**
 * One thing a monkey can do. Its weight comes from the profile; `enabled` is its precondition:
 * when false the action's weight is zero for that step (nothing paused: no resume).
 */
export interface MonkeyAction {
  readonly name: string;
  enabled?(ctx: MonkeyContext): boolean;
  /** Do it. A string returned says what it aimed at (recorded in the step's event). */
  run(ctx: MonkeyContext): void | string | Promise<void | string>;
}

/**
 * The built-in actions over a supervision tree: kill or crash a running worker, hang or slow one,
 * drop or delay what is sent to one, and heal one of the faults the monkey armed.
 */
export function treeActions(sup: SupervisorRef): MonkeyAction[] {
  const armed: Fault[] = [];
  const by = new Map<string, Set<string>>(); // action -> pids it already hit (hang, slow)
  const workers = () => runningWorkers(sup);
  const fresh = (action: string) => workers().filter((w) => !by.get(action)?.has(w.pid.toString()));
  const mark = (action: string, pid: string): void => {
    const set = by.get(action) ?? new Set<string>();
    set.add(pid);
    by.set(action, set);
  };
  const keep = (fault: Fault): Fault => {
    armed.push(fault);
    return fault;
  };
  return [
    {
      name: 'kill',
      enabled: () => workers().length > 0,
      run: ({ chaos, random }) => {
        const w = random.pick(workers());
        chaos.kill(w.pid);
        return w.path;
      },
    },
    {
      name: 'crash',
      enabled: () => workers().length > 0,
      run: ({ chaos, random }) => {
        const w = random.pick(workers());
        chaos.exit(w.pid, new InjectedFault('crash', 'monkey', `chaos: the monkey crashed ${w.path}`));
        return w.path;
      },
    },
    {
      name: 'hang',
      enabled: () => fresh('hang').length > 0,
      run: ({ chaos, random }) => {
        const w = random.pick(fresh('hang'));
        mark('hang', w.pid.toString());
        keep(chaos.hang(w.pid));
        return w.path;
      },
    },
    {
      name: 'slow',
      enabled: () => fresh('slow').length > 0,
      run: ({ chaos, random }) => {
        const w = random.pick(fresh('slow'));
        mark('slow', w.pid.toString());
        const delay = random.between(10, 200);
        keep(chaos.slow(w.pid, { delay, rate: 0.5 }));
        return `${w.path} by ${delay} ms`;
      },
    },
    {
      name: 'drop',
      enabled: () => workers().length > 0,
      run: ({ chaos, random }) => {
        const w = random.pick(workers());
        const count = random.between(1, 3);
        keep(chaos.drop('*', w.pid, { count }));
        return `${count} to ${w.path}`;
      },
    },
    {
      name: 'delay',
      enabled: () => workers().length > 0,
      run: ({ chaos, random }) => {
        const w = random.pick(workers());
        const delay = random.between(10, 300);
        keep(chaos.delay('*', w.pid, { delay, count: random.between(1, 3) }));
        return `to ${w.path} by ${delay} ms`;
      },
    },
    healAction(armed),
  ];
}

/** The built-in actions over OS processes the system spawned: SIGKILL, SIGTERM, pause and resume. */
export function processActions(procs: readonly ChaosProcess[]): MonkeyAction[] {
  const alive = () => procs.filter((p) => p.alive());
  return [
    {
      name: 'os_kill',
      enabled: () => alive().length > 0,
      run: ({ chaos, random }) => {
        const p = random.pick(alive());
        chaos.os.kill(p);
        return p.label;
      },
    },
    {
      name: 'os_term',
      enabled: () => alive().length > 0,
      run: ({ chaos, random }) => {
        const p = random.pick(alive());
        chaos.os.term(p);
        return p.label;
      },
    },
    {
      name: 'os_pause',
      enabled: ({ chaos }) => alive().some((p) => !chaos.os.isPaused(p)),
      run: ({ chaos, random }) => {
        const p = random.pick(alive().filter((q) => !chaos.os.isPaused(q)));
        chaos.os.pause(p);
        return p.label;
      },
    },
    {
      name: 'os_resume',
      enabled: ({ chaos }) => procs.some((p) => chaos.os.isPaused(p)),
      run: ({ chaos, random }) => {
        const p = random.pick(procs.filter((q) => chaos.os.isPaused(q)));
        chaos.os.resume(p);
        return p.label;
      },
    },
  ];
}

/** Heal one of the faults the monkey armed that is still active. */
function healAction(armed: Fault[]): MonkeyAction {
  const active = () => armed.filter((f) => f.active);
  return {
    name: 'heal',
    enabled: () => active().length > 0,
    run: ({ random }) => {
      const fault = random.pick(active());
      fault.heal();
      return `${fault.type} ${fault.id} on ${fault.target}`;
    },
  };
}
