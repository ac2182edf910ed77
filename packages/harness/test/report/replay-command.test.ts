import fc from 'fast-check';
import { expect, test } from 'vitest';
import { namePattern, replayCommand, shellQuote } from '../../src/system/seed.js';

// The fixture builds a replay command for every test, so replayCommand takes shortcuts for plain
// names and a repeated file; it must still say exactly what the general form says.
test('replayCommand equals the quoted -t pattern of namePattern for any file and name', () => {
  const text = fc.oneof(fc.string(), fc.stringMatching(/^[a-z ]{0,12}( > [a-z .'$]{0,8})?$/), fc.constantFrom('a.b', "it's", 'x > y', 'p$', '[q]'));
  fc.assert(
    fc.property(fc.nat(0xffffffff), fc.option(text, { nil: undefined }), fc.option(text, { nil: undefined }), (run, file, name) => {
      const target = file ? ` ${shellQuote(file)}` : '';
      const filter = name ? ` -t ${shellQuote(namePattern([name]))}` : '';
      expect(replayCommand(run, file, name)).toBe(`QUIESCE_SEED=${run} npx vitest run${target}${filter}`);
    }),
    { numRuns: 500 },
  );
});
