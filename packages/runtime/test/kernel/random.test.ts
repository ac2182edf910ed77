import * as fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { QuiesceError, Random, deriveSeed } from '@quiesce/runtime';

const draw = (r: Random, n: number) => Array.from({ length: n }, () => r.nextU32());
const seed = fc.integer({ min: 0, max: 0xffffffff });

describe('Random', () => {
  test('is reproducible: the same seed gives the same sequence (property)', () => {
    fc.assert(
      fc.property(seed, (s) => {
        expect(draw(new Random(s), 20)).toEqual(draw(new Random(s), 20));
      }),
    );
  });

  test('is stable across runs and platforms (pinned values)', () => {
    // If the generator or the seed expansion changes, every recorded seed stops replaying.
    expect(draw(new Random(0), 3)).toEqual(PINNED_0);
    expect(draw(new Random(42), 3)).toEqual(PINNED_42);
    expect(deriveSeed(42, 'faults')).toBe(PINNED_DERIVE);
  });

  test('different seeds give different sequences', () => {
    const seen = new Set<string>();
    for (let s = 0; s < 200; s++) seen.add(draw(new Random(s), 4).join(','));
    expect(seen.size).toBe(200);
  });

  test('seeds are taken as unsigned 32-bit integers', () => {
    expect(new Random(-1).seed).toBe(0xffffffff);
    expect(draw(new Random(-1), 5)).toEqual(draw(new Random(0xffffffff), 5));
    expect(new Random(2 ** 32 + 7).seed).toBe(7);
  });

  test('fork depends on the seed and the site, never on draws made elsewhere (property)', () => {
    fc.assert(
      fc.property(seed, fc.string(), fc.nat({ max: 50 }), (s, site, drawsBefore) => {
        const untouched = new Random(s).fork(site);
        const used = new Random(s);
        draw(used, drawsBefore);
        const forked = used.fork(site);
        // Drawing from the parent after forking does not shift the fork either.
        draw(used, 3);
        expect(draw(forked, 10)).toEqual(draw(untouched, 10));
      }),
    );
  });

  test('forks of different sites (and the parent) are independent streams', () => {
    const r = new Random(7);
    const a = draw(r.fork('faults'), 8);
    const b = draw(r.fork('latency'), 8);
    const nested = draw(r.fork('faults').fork('x'), 8);
    expect(a).not.toEqual(b);
    expect(a).not.toEqual(draw(new Random(7), 8));
    expect(nested).not.toEqual(a);
    expect(r.fork('faults').seed).toBe(deriveSeed(7, 'faults'));
  });

  test('next is in [0, 1), int in [0, n), between inclusive, roughly uniform', () => {
    const r = new Random(123);
    const buckets = new Array<number>(10).fill(0);
    let floats = 0;
    let betweens = 0;
    for (let i = 0; i < 10_000; i++) {
      const x = r.next();
      if (x >= 0 && x < 1) floats++;
      const k = r.int(10);
      if (Number.isInteger(k)) buckets[k]!++;
      const b = r.between(-2, 2);
      if (Number.isInteger(b) && b >= -2 && b <= 2) betweens++;
    }
    expect(floats).toBe(10_000);
    expect(betweens).toBe(10_000);
    expect(buckets.reduce((a, b) => a + b, 0)).toBe(10_000);
    for (const count of buckets) {
      expect(count).toBeGreaterThan(850);
      expect(count).toBeLessThan(1150);
    }
    expect(r.between(5, 5)).toBe(5);
  });

  test('bool honours its probability; pick returns an element', () => {
    const r = new Random(9);
    for (let i = 0; i < 100; i++) {
      expect(r.bool(0)).toBe(false);
      expect(r.bool(1)).toBe(true);
    }
    let trues = 0;
    for (let i = 0; i < 1000; i++) if (r.bool()) trues++;
    expect(trues).toBeGreaterThan(400);
    expect(trues).toBeLessThan(600);
    const items = ['a', 'b', 'c'] as const;
    const picked = new Set(Array.from({ length: 100 }, () => r.pick(items)));
    expect([...picked].sort()).toEqual(['a', 'b', 'c']);
  });

  test('int and pick reject bad input with a QuiesceError naming the value', () => {
    const r = new Random(1);
    for (const n of [0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY]) {
      const error = (() => {
        try {
          r.int(n);
        } catch (e) {
          return e;
        }
      })();
      expect(error).toBeInstanceOf(QuiesceError);
      expect((error as QuiesceError).code).toBe('INVALID_OPTION');
      expect((error as QuiesceError).message).toContain(String(n));
    }
    expect(() => r.pick([])).toThrow(QuiesceError);
    expect(() => r.between(3, 1)).toThrow(QuiesceError);
  });
});

const PINNED_0 = [3809008728, 1133695204, 53579671];
const PINNED_42 = [2837322924, 544945897, 479756282];
const PINNED_DERIVE = 2780421748;
