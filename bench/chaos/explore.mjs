// Rows: the interleaving explorer (`explore` in @quiesce/chaos).
//
// 10   schedules explored per second on a three-process scenario (a counter server and two
//      clients doing a read-modify-write across two messages: a planted lost update), random
//      strategy, going on past failures; against the same scenario written as promises and
//      interleaved by fast-check's `fc.scheduler()` (promise order only), runs per second.
// 10b  the reduction partial-order reduction (sleep sets) gives: schedules exhaustive enumeration
//      explores with sleep sets against plain enumeration, same scenario (fixed, so both finish).
// 10c  how much shrinking reduces failing schedules: choice points before and after, over the
//      first failure of 20 seeds (a client first makes 3 round trips through a relay, so a
//      failing schedule is long and specific).
import fc from 'fast-check';
import { explore } from '../../packages/chaos/dist/bundle/index.js';
import { median, now, sideBySide } from '../lib.mjs';

export const id = 'explore';

/** The counter race on a runtime: counter + two clients (+ a relay when hops > 0). */
function counterRace({ hops = 0, fixed = false } = {}) {
  return async (rt) => {
    let value = 0;
    let holder;
    const queued = [];
    const counter = rt.spawn(
      (m, ctx) => {
        if ('get' in m) {
          if (fixed && holder !== undefined) return void queued.push(m.get);
          if (fixed) holder = m.get;
          ctx.send(m.get, { value });
          return;
        }
        value = m.set;
        if (!fixed) return;
        holder = queued.shift();
        if (holder !== undefined) ctx.send(holder, { value });
      },
      { name: 'counter' },
    );
    const relay = hops > 0 ? rt.spawn((m, ctx) => ctx.send(m.from, { hop: m.hop }), { name: 'relay' }) : undefined;
    const client = (name, trips) =>
      rt.spawn(
        (m, ctx) => {
          if (m === 'go' || 'hop' in m) {
            const left = m === 'go' ? trips : m.hop - 1;
            if (left > 0) ctx.send(relay, { hop: left, from: ctx.self });
            else ctx.send(counter, { get: ctx.self });
            return;
          }
          ctx.send(counter, { set: m.value + 1 });
        },
        { name },
      );
    rt.send(client('client-a', 0), 'go');
    rt.send(client('client-b', hops), 'go');
    await rt.idle();
    return value === 2 || `lost update: the counter is ${value}`;
  };
}

/** The same system as promises: every message is a delivery fast-check's scheduler orders. */
async function promiseRace(s) {
  let value = 0;
  const deliver = (fn) => s.schedule(Promise.resolve()).then(fn);
  const counter = (m) => deliver(() => (m.get ? m.get(value) : (value = m.set)));
  const client = () => deliver(() => counter({ get: (v) => deliver(() => counter({ set: v + 1 })) }));
  client();
  client();
  await s.waitAll();
  return value;
}

const BATCH = 2000;

async function quiesceRate() {
  const started = now();
  const report = await explore(counterRace(), { strategy: 'random', runs: BATCH, keepGoing: true, shrink: false, seed: 1 });
  return (report.schedules * 1000) / (now() - started);
}

async function peerRate() {
  const started = now();
  await fc.assert(
    fc.asyncProperty(fc.scheduler(), async (s) => {
      await promiseRace(s);
    }),
    { numRuns: BATCH, seed: 1 },
  );
  return (BATCH * 1000) / (now() - started);
}

export async function measure() {
  // Warm both up: the JIT needs a few thousand schedules before the rate settles.
  for (let i = 0; i < 3; i++) {
    await quiesceRate();
    await peerRate();
  }
  const { samples, medians } = await sideBySide(5, { quiesce: quiesceRate, peer: peerRate });
  const rows = [
    {
      id,
      measurement: 'schedules explored per second (3 processes)',
      unit: 'schedules/s',
      quiesce: medians.quiesce,
      peer: medians.peer,
      ratio: medians.quiesce / medians.peer,
      better: 'higher',
      target: 5000,
      samples,
      peerName: "the same system as promises, interleaved by fast-check's fc.scheduler() (promise order only), runs per second",
      note: `explore(scenario, { strategy: 'random' }), a fresh virtual-clock Runtime per schedule; target ≥ 5,000/s: ${medians.quiesce >= 5000 ? 'met' : 'MISSED'}`,
    },
  ];

  const fixed = counterRace({ fixed: true });
  const t = now();
  const por = await explore(fixed, { strategy: 'exhaustive' });
  const porMs = now() - t;
  const plain = await explore(fixed, { strategy: 'exhaustive', reduction: 'none' });
  if (!por.complete || !plain.complete) throw new Error('exhaustive enumeration did not finish');
  rows.push({
    id: 'explore-por',
    measurement: 'exhaustive schedules, sleep sets vs plain (3 processes, every schedule)',
    unit: 'schedules',
    quiesce: por.schedules,
    peer: plain.schedules,
    ratio: por.schedules / plain.schedules,
    better: 'lower',
    reading: `${(plain.schedules / por.schedules).toFixed(0)}× fewer schedules`,
    peerName: 'plain enumeration of the same bounded space (reduction: none)',
    note: `both enumerate every schedule (no preemption bound) and find no failure (the fixed counter); sleep sets also abandon ${por.redundant} runs part-way as redundant; the reduced enumeration took ${porMs.toFixed(0)} ms`,
  });

  const before = [];
  const after = [];
  const deviations = [[], []];
  let shrinkRuns = 0;
  const race = counterRace({ hops: 3 });
  for (let seed = 1; seed <= 20; seed++) {
    const report = await explore(race, { strategy: 'random', runs: 5000, seed });
    if (!report.failure) throw new Error(`seed ${seed} found no failure`);
    before.push(report.failure.original.length);
    after.push(report.failure.minimal.length);
    deviations[0].push(report.failure.original.deviations);
    deviations[1].push(report.failure.minimal.deviations);
    shrinkRuns += report.failure.shrinkRuns;
  }
  rows.push({
    id: 'explore-shrink',
    measurement: 'failing schedule length, shrunk vs found (choice points)',
    unit: 'choices',
    quiesce: median(after),
    peer: median(before),
    ratio: median(after) / median(before),
    better: 'lower',
    reading: `shrunk to ${((100 * median(after)) / median(before)).toFixed(0)}% of the length`,
    peerName: 'the failing schedule as random exploration found it',
    note: `medians over the first failure of seeds 1-20 (counter race, client B makes 3 relay round trips); choices off the default: ${median(deviations[0])} → ${median(deviations[1])}; ${(shrinkRuns / 20).toFixed(0)} shrink runs per failure on average`,
  });
  return rows;
}
