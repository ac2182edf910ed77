// The preset's matcher loader (src/preset.ts); its behaviour across test files is run in a nested
// Vitest by packages/harness/test/preset/preset.test.ts.
import { Runtime } from '@quiesce/runtime';
import { RUNTIME_LOADED } from '@quiesce/runtime/internal';
import { describe, expect, test } from 'vitest';
import { quiesceMatchers } from '../src/matchers/index.js';
import { MATCHER_NAMES } from '../src/matchers/names.js';
import { loadMatchersIfQuiesceLoaded, matchersRegistered, notLoadedMessage, quiesceLoaded, registerPlaceholders } from '../src/preset.js';
import '@quiesce/assertions';

describe("the preset's matcher loader", () => {
  test('has a placeholder name for every matcher, and no other', () => {
    expect([...MATCHER_NAMES].sort()).toEqual(Object.keys(quiesceMatchers).sort());
  });

  test("reads the runtime's own realm mark", () => {
    expect(RUNTIME_LOADED).toBe(Symbol.for('quiesce.runtime.loaded'));
    expect((globalThis as Record<symbol, unknown>)[RUNTIME_LOADED]).toBe(true);
    expect(quiesceLoaded()).toBe(true);
  });

  test('never puts placeholders back over registered matchers', async () => {
    expect(matchersRegistered()).toBe(true);
    registerPlaceholders();
    const rt = new Runtime();
    const pid = rt.spawn(() => undefined);
    expect({ runtime: rt, pid }).toBeAlive();
    expect(() => expect({ runtime: rt, pid }).not.toBeAlive()).toThrow(/not to be alive, but it is/);
    expect(await loadMatchersIfQuiesceLoaded()).toBe(true);
    await rt.shutdown();
  });

  test('a placeholder says which matcher, why it is missing and the line that loads it', () => {
    const message = notLoadedMessage('toHaveRestarted');
    expect(message).toContain('expect(...).toHaveRestarted()');
    expect(message).toContain('@quiesce/harness, @quiesce/runtime or @quiesce/chaos');
    expect(message).toContain("import '@quiesce/assertions';");
  });
});
