/**
 * @quiesce/assertions — Vitest matchers and history properties for process systems.
 *
 * Importing it registers the matchers with Vitest's `expect.extend` (a side effect) and types
 * them for whichever Vitest major is installed: the declaration below extends chai's `Assertion`,
 * which Vitest 4 and 5 both map onto their own assertion type. `@quiesce/assertions/vitest4` and
 * `/vitest5` declare them on that major's `Matchers` interface instead; import exactly one of
 * the three entry points.
 */
import './register-matchers.js';
import type { QuiesceMatchers } from './matcher-types.js';

export * from './public-api.js';

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace Chai {
    // eslint-disable-next-line @typescript-eslint/no-empty-object-type
    interface Assertion extends QuiesceMatchers<void> {}
  }
}
