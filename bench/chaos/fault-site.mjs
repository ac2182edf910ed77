// Row: the cost of an inactive fault site. `maybeFault('site')` stays in production code; while
// no test has enabled fault sites it must cost about what a plain function call costs. The peer
// is that plain call (a function returning false, called the same way).
import { maybeFault } from '../../packages/chaos/dist/bundle/index.js';
import { rate, sideBySide } from '../lib.mjs';

export const id = 'fault-site';

const BATCH = 1_000_000;
let sink = 0;

function plain(site) {
  return site.length < 0;
}

const batchOf = (fn) => () => {
  for (let i = 0; i < BATCH; i++) if (fn('db.write')) sink++;
};

export async function measure() {
  const sites = batchOf(maybeFault);
  const calls = batchOf(plain);
  // Warm both up so the JIT has settled before the first measured rep.
  for (let i = 0; i < 20; i++) {
    sites();
    calls();
  }
  const { medians } = await sideBySide(5, {
    quiesce: () => rate(sites, { batchSize: BATCH, minMs: 300 }),
    peer: () => rate(calls, { batchSize: BATCH, minMs: 300 }),
  });
  if (sink !== 0) throw new Error('an inactive fault site fired');
  return {
    id,
    measurement: 'inactive maybeFault() calls per second',
    unit: 'calls/s',
    quiesce: medians.quiesce,
    peer: medians.peer,
    ratio: medians.quiesce / medians.peer,
    better: 'higher',
    peerName: 'a plain function call (site) => false, called the same way',
    note: 'no test system has enabled fault sites: maybeFault is one comparison and a return',
  };
}
