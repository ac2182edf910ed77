import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { InvalidOptionError } from '@quiesce/runtime';
import { parseRequired, REQUIRE_ENV, requiredParts } from '../../src/preset/require.js';

describe('QUIESCE_REQUIRE: the parts a run requires', () => {
  test('a comma-separated list of known parts, blanks and repeats ignored; unset or empty is none', () => {
    expect(requiredParts({})).toEqual([]);
    expect(requiredParts({ [REQUIRE_ENV]: '' })).toEqual([]);
    expect(requiredParts({ [REQUIRE_ENV]: 'docker' })).toEqual(['docker']);
    expect(requiredParts({ [REQUIRE_ENV]: ' docker, ,docker ' })).toEqual(['docker']);
  });

  test('an unknown part is an InvalidOptionError naming the variable, the value and the parts accepted', () => {
    expect(() => requiredParts({ [REQUIRE_ENV]: 'docker,dokcer' })).toThrow(InvalidOptionError);
    expect(() => requiredParts({ [REQUIRE_ENV]: 'dokcer' })).toThrow(
      `${REQUIRE_ENV}: got "dokcer"; expected a comma-separated list of required parts: 'docker'`,
    );
    expect(() => parseRequired('--require', 'redis')).toThrow('--require');
  });

  test('fuzzed: any text parses to known parts or is an InvalidOptionError', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string(),
          fc.array(fc.constantFrom('docker', ' ', ',', 'x')).map((a) => a.join('')),
        ),
        (text) => {
          try {
            for (const part of parseRequired(REQUIRE_ENV, text)) expect(part).toBe('docker');
          } catch (error) {
            expect(error).toBeInstanceOf(InvalidOptionError);
          }
        },
      ),
    );
  });
});
