import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { run } from '../../src/index.js';

describe('the toy interpreter', () => {
  test('assigns, computes, prints and writes files', () => {
    const result = run('x = 2 * (3 + 4)\ny = x % 5; print "x=" + x\nwrite "out.txt" y\ndel y', { keep: 'me' });
    expect(result).toEqual({ stdout: 'x=14\n', vars: { keep: 'me', x: 14 }, deleted: ['y'], files: { 'out.txt': '4' } });
  });

  test.each([
    ['print nope', 'NameError: nope is not defined'],
    ['x = 1 / 0', 'ZeroDivisionError: division by zero'],
    ['x = "a" * 2', 'TypeError: "a" is not a number'],
    ['x = (1 + 2', 'SyntaxError: ( without )'],
    ['import os', 'SyntaxError: cannot read statement "import os"'],
    ['write "../etc/passwd" 1', 'IOError: "../etc/passwd" is not a file name (letters, digits, . _ -)'],
    ['x = 1 $ 2', 'SyntaxError: unexpected "$ 2"'],
  ])('%s fails with %s, and changes nothing', (code, error) => {
    const before = { a: 1 };
    const result = run(`a = 99; ${code}`, before);
    expect(result.error).toBe(error);
    expect(result.vars).toEqual(before);
    expect(result.files).toEqual({});
  });

  test('fuzz: any input either runs or fails as a value; it never throws, and a failure changes nothing', () => {
    fc.assert(
      fc.property(
        fc.string({ maxLength: 200 }),
        fc.dictionary(fc.constantFrom('a', 'b', 'c'), fc.oneof(fc.integer(), fc.string({ maxLength: 5 }))),
        (code, vars) => {
          const result = run(code, vars);
          if (result.error !== undefined) {
            expect(result.vars).toEqual(vars);
            expect(result.files).toEqual({});
          }
        },
      ),
      { numRuns: 500 },
    );
  });
});
