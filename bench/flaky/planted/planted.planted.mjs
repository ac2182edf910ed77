import { expect, test } from 'vitest';

// Planted outcomes with known truth (truth.mjs, read by classify.mjs). Flakiness is seeded: a
// test fails when a draw from the run's QUIESCE_SEED and its own name falls under its rate, so
// every session of the bench is reproducible and every failure replays.
const seed = Number(process.env.QUIESCE_SEED ?? 0) >>> 0;

/** A uniform draw in [0, 1) from the run seed and a name (FNV-1a, then a finalising mix). */
function draw(name) {
  let h = 0x811c9dc5 ^ seed;
  for (let i = 0; i < name.length; i++) h = Math.imul(h ^ name.charCodeAt(i), 0x01000193);
  h ^= h >>> 15;
  h = Math.imul(h, 0x2c1b3c6d);
  h ^= h >>> 12;
  h = Math.imul(h, 0x297a2d39);
  h ^= h >>> 15;
  return (h >>> 0) / 2 ** 32;
}

let polluted = false;

test('victim', () => {
  expect(polluted, 'the polluter ran first and left its state behind').toBe(false);
});

for (const rate of [0.01, 0.05, 0.2]) {
  test(`flaky ${rate * 100}%`, () => {
    expect(draw(`flaky ${rate}`)).toBeGreaterThanOrEqual(rate);
  });
}

test('stable pass', () => {
  expect(2 + 2).toBe(4);
});

test('broken', () => {
  expect('2 + 2').toBe('4');
});

test('polluter', () => {
  polluted = true;
});
