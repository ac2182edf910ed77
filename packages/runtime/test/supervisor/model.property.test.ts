/**
 * The supervisor against a small reference model of OTP's semantics (docs/runtime.md, "Supervisors"), property-based:
 * flat one-level trees with every strategy, restart type, intensity 0..3, period 1..5 and
 * auto_shutdown, driven by crash sequences with virtual time advances. After every step the model's
 * prediction (which children are alive, their restarts, whether the supervisor is alive, and the
 * exact order of lifecycle events) must match the runtime.
 */
import * as fc from 'fast-check';
import { expect, test } from 'vitest';
import { Pid, startSupervisor, supervisor, type AutoShutdown, type ChildSpec, type ExitReason, type RestartType, type Strategy } from '@quiesce/runtime';
import { crashable, trace, vrt } from '../support/helpers.js';

type Reason = 'normal' | 'shutdown' | 'shutdown-term' | 'boom' | 'throw' | 'kill';
type Step = { crash: number; reason: Reason } | { advance: number };
interface ChildDef {
  id: string;
  restart: RestartType;
  significant: boolean;
}
interface Flags {
  strategy: Strategy;
  intensity: number;
  period: number;
  autoShutdown: AutoShutdown;
}

const KINDS = ['child.start', 'child.exit', 'child.terminate', 'child.restart', 'supervisor.intensity', 'supervisor.shutdown'];

// ---------------------------------------------------------------- the model

interface ChildModel extends ChildDef {
  /** Still among the supervisor's specs (temporary children are dropped once they stop). */
  kept: boolean;
  alive: boolean;
  restarts: number;
}

class Model {
  alive = true;
  now = 0;
  /** Restart times in whole seconds, newest first. */
  restarts: number[] = [];
  readonly children: ChildModel[];
  readonly events: string[] = [];

  constructor(
    readonly flags: Flags,
    defs: ChildDef[],
  ) {
    this.children = defs.map((d) => ({ ...d, kept: true, alive: true, restarts: 0 }));
    for (const c of this.children) this.events.push(`child.start ${c.id}`);
  }

  kept(): ChildModel[] {
    return this.children.filter((c) => c.kept);
  }

  advance(ms: number): void {
    this.now += ms;
  }

  crash(index: number, reason: Reason): void {
    const c = this.children[index]!;
    if (!this.alive || !c.kept || !c.alive) return; // nothing to crash
    c.alive = false;
    this.events.push(`child.exit ${c.id}`);
    const normal = reason === 'normal' || reason === 'shutdown' || reason === 'shutdown-term';
    if (c.restart === 'permanent' || (c.restart === 'transient' && !normal)) {
      this.restart(c);
      return;
    }
    // Not restarted: a temporary child is forgotten, a transient one keeps its spec.
    if (c.restart === 'temporary') c.kept = false;
    if (!c.significant) return;
    const { autoShutdown } = this.flags;
    if (autoShutdown === 'any_significant' || (autoShutdown === 'all_significant' && !this.kept().some((x) => x.significant && x.alive))) {
      this.shutdown();
    }
  }

  restart(c: ChildModel): void {
    const now = Math.floor(this.now / 1000);
    // OTP: keep restarts no more than `period` seconds old (one exactly that old still counts).
    this.restarts = [now, ...this.restarts.filter((t) => now - t <= this.flags.period)];
    if (this.restarts.length > this.flags.intensity) {
      this.events.push(`supervisor.intensity ${c.id}`);
      this.shutdown();
      return;
    }
    const { strategy } = this.flags;
    if (strategy === 'one_for_one') {
      this.start(c);
      return;
    }
    const group = (): ChildModel[] => {
      const kept = this.kept();
      return strategy === 'one_for_all' ? kept : kept.slice(kept.indexOf(c));
    };
    this.terminate(group());
    for (const x of group()) this.start(x);
  }

  start(c: ChildModel): void {
    c.alive = true;
    c.restarts++;
    this.events.push(`child.restart ${c.id}`);
  }

  /** Right to left; temporary children are dropped. */
  terminate(list: ChildModel[]): void {
    for (const x of [...list].reverse()) {
      if (x.alive) {
        x.alive = false;
        this.events.push(`child.terminate ${x.id}`);
      }
      if (x.restart === 'temporary') x.kept = false;
    }
  }

  shutdown(): void {
    this.terminate(this.kept());
    this.events.push('supervisor.shutdown');
    this.alive = false;
  }
}

// ---------------------------------------------------------------- generators

const flagsArb = fc.record({
  strategy: fc.constantFrom<Strategy>('one_for_one', 'one_for_all', 'rest_for_one'),
  intensity: fc.integer({ min: 0, max: 3 }),
  period: fc.integer({ min: 1, max: 5 }),
  autoShutdown: fc.constantFrom<AutoShutdown>('never', 'never', 'any_significant', 'all_significant'),
});

const childArb = (autoShutdown: AutoShutdown) =>
  fc
    .record({ restart: fc.constantFrom<RestartType>('permanent', 'transient', 'temporary'), significant: fc.boolean() })
    // OTP: only transient or temporary children can be significant, and only with auto_shutdown.
    .map((c) => ({ ...c, significant: c.significant && c.restart !== 'permanent' && autoShutdown !== 'never' }));

const stepArb = (n: number): fc.Arbitrary<Step> =>
  fc.oneof(
    {
      weight: 3,
      arbitrary: fc.record({ crash: fc.nat({ max: n - 1 }), reason: fc.constantFrom<Reason>('normal', 'shutdown', 'shutdown-term', 'boom', 'throw', 'kill') }),
    },
    { weight: 1, arbitrary: fc.record({ advance: fc.oneof(fc.integer({ min: 0, max: 2500 }), fc.constantFrom(999, 1000, 1001, 4000, 5000, 6000)) }) },
  );

const scenarioArb = flagsArb.chain((flags) =>
  fc.integer({ min: 1, max: 4 }).chain((n) =>
    fc.record({
      flags: fc.constant(flags),
      children: fc.array(childArb(flags.autoShutdown), { minLength: n, maxLength: n }).map((cs) => cs.map((c, i) => ({ ...c, id: `c${i}` }))),
      steps: fc.array(stepArb(n), { minLength: 1, maxLength: 14 }),
    }),
  ),
);

// ---------------------------------------------------------------- the property

function toMessage(reason: Reason): { crash: ExitReason } | { throw: unknown } {
  switch (reason) {
    case 'shutdown-term':
      return { crash: { shutdown: 'term' } };
    case 'throw':
      return { throw: new Error('crashed') };
    default:
      return { crash: reason };
  }
}

test('the supervisor agrees with the reference model (property)', async () => {
  await fc.assert(
    fc.asyncProperty(scenarioArb, async ({ flags, children, steps }) => {
      const rt = vrt();
      const specs: ChildSpec[] = children.map((c) => ({ id: c.id, restart: c.restart, significant: c.significant, start: crashable() }));
      const sup = await startSupervisor(rt, supervisor({ id: 'sup', ...flags, children: specs }));
      const model = new Model(flags, children);

      const compare = (where: string): void => {
        expect({ where, events: trace(rt, KINDS) }).toEqual({ where, events: model.events });
        expect({ where, alive: sup.isAlive() }).toEqual({ where, alive: model.alive });
        const restarts = Object.fromEntries(children.map((c) => [c.id, trace(rt, ['child.restart']).filter((l) => l === `child.restart ${c.id}`).length]));
        expect({ where, restarts }).toEqual({ where, restarts: Object.fromEntries(model.children.map((c) => [c.id, c.restarts])) });
        if (model.alive) {
          const observed = sup.whichChildren().map((c) => ({ id: c.id, alive: c.pid instanceof Pid && rt.isAlive(c.pid) }));
          expect({ where, children: observed }).toEqual({ where, children: model.kept().map((c) => ({ id: c.id, alive: c.alive })) });
        } else {
          expect(rt.exitReason(sup.pid)).toBe('shutdown');
          expect(rt.processes()).toEqual([]);
        }
      };

      compare('after start');
      for (const [i, step] of steps.entries()) {
        if ('advance' in step) {
          await rt.advance(step.advance);
          model.advance(step.advance);
        } else {
          const id = children[step.crash]!.id;
          const pid = sup.isAlive() ? sup.child(id) : undefined;
          if (pid) {
            if (step.reason === 'kill') rt.exit(pid, 'kill');
            else rt.send(pid, toMessage(step.reason));
          }
          model.crash(step.crash, step.reason);
          await rt.idle();
        }
        compare(`after step ${i} ${JSON.stringify(step)}`);
      }
      if (model.alive) {
        await sup.stop();
        model.shutdown();
        compare('after stop');
      }
      expect(rt.processes()).toEqual([]);
    }),
    { numRuns: 200 },
  );
});

test('the model itself: one_for_all with intensity 1 in 5 s (sanity)', () => {
  const m = new Model({ strategy: 'one_for_all', intensity: 1, period: 5, autoShutdown: 'never' }, [
    { id: 'a', restart: 'permanent', significant: false },
    { id: 't', restart: 'temporary', significant: false },
    { id: 'b', restart: 'permanent', significant: false },
  ]);
  m.crash(2, 'boom');
  expect(m.events).toEqual([
    'child.start a',
    'child.start t',
    'child.start b',
    'child.exit b',
    'child.terminate t',
    'child.terminate a',
    'child.restart a',
    'child.restart b',
  ]);
  m.advance(5999);
  m.crash(0, 'normal');
  expect(m.alive).toBe(false);
  expect(m.events.slice(-4)).toEqual(['child.exit a', 'supervisor.intensity a', 'child.terminate b', 'supervisor.shutdown']);
});
