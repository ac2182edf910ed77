// Row: histories checked for linearizability per second, 3 clients x 5 operations each. The
// histories are real: a counter server on the runtime, clients racing under seeded random
// schedules (half of them with the read-modify-write bug, so some histories are not
// linearizable and the search must exhaust them). Quiesce's checker (Wing-Gong with Lowe's
// memoisation) against the search a user would write otherwise: every order of the operations
// that respects real time, depth first, with no memo.
import fc from 'fast-check';
import { startServer } from '../../packages/runtime/dist/bundle/index.js';
import { checkLinearizable, resolveModel } from '../../packages/chaos/dist/bundle/index.js';
import { runScenario } from '../../packages/chaos/dist/bundle/linearizability/index.js';
import { rate, sideBySide } from '../lib.mjs';

export const id = 'linearizability';

const counter = { init: 0, step: (n, op) => (op === 'inc' ? { state: n + 1, output: 'ok' } : { state: n, output: n }) };
const model = resolveModel('model', counter);

const startCounter = (runtime) =>
  startServer(
    runtime,
    {
      init: () => ({ state: 0 }),
      handleCall: (request, _from, n) =>
        request === 'get' ? { reply: n, state: n } : request === 'inc' ? { reply: 'ok', state: n + 1 } : { reply: 'ok', state: request.set },
    },
    undefined,
  );

const spec = (racy) => ({
  setup: startCounter,
  run: async (ctx, server, op) => {
    if (op === 'read') return ctx.call(server, 'get');
    if (!racy) return ctx.call(server, 'inc');
    const n = await ctx.call(server, 'get');
    return ctx.call(server, { set: n + 1 });
  },
  model: counter,
  operation: fc.constantFrom('inc', 'read'),
});

/** The search a user would write: try every operation that may go next, recursively, no memo. */
function bruteForce(ops) {
  const go = (rest, state) => {
    if (rest.length === 0) return true;
    const firstReturn = Math.min(...rest.map((o) => o.ret));
    for (const o of rest) {
      if (o.call > firstReturn) continue;
      const next = counter.step(state, o.input);
      if (next.output !== o.output) continue;
      if (
        go(
          rest.filter((p) => p !== o),
          next.state,
        )
      )
        return true;
    }
    return false;
  };
  return go(ops, 0);
}

/**
 * `count` complete histories of `clients` x `per` operations, a third of them reads, from runs
 * under seeded random schedules, every other one against the racy server.
 */
async function histories(count, clients, per) {
  const out = [];
  for (let i = 0; out.length < count; i++) {
    const scenario = Array.from({ length: clients }, (_, c) =>
      Array.from({ length: per }, (_, k) => ((i + c * 3 + k * ((i % 3) + 1)) % 3 === 0 ? 'read' : 'inc')),
    );
    const run = await runScenario(spec(i % 2 === 1), model, scenario, { random: i + 1 }, 60_000);
    if (run.history.every((op) => op.ret !== undefined)) out.push(run.history);
  }
  return out;
}

async function row(rowId, clients, per) {
  const set = await histories(20, clients, per);
  const notLinearizable = set.filter((h) => !checkLinearizable(h, model).linearizable).length;
  for (const h of set) if (checkLinearizable(h, model).linearizable !== bruteForce(h)) throw new Error('the two checkers disagree');
  const batch = (check) => () => {
    for (const h of set) check(h);
  };
  const quiesce = batch((h) => checkLinearizable(h, model));
  const peer = batch(bruteForce);
  quiesce();
  peer();
  const { medians } = await sideBySide(5, {
    quiesce: () => rate(quiesce, { batchSize: set.length, minMs: 300 }),
    peer: () => rate(peer, { batchSize: set.length, minMs: 300 }),
  });
  return {
    id: rowId,
    measurement: `histories checked per second (${clients} clients x ${per} operations)`,
    unit: 'histories/s',
    quiesce: medians.quiesce,
    peer: medians.peer,
    ratio: medians.quiesce / medians.peer,
    better: 'higher',
    peerName: 'a depth-first search over every real-time-respecting order, no memo',
    note: `${set.length} histories from runs of a counter server, a third of the operations reads (${notLinearizable} not linearizable)`,
  };
}

export async function measure() {
  return [await row(id, 3, 5), await row('linearizability-4x6', 4, 6)];
}
