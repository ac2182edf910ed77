/**
 * @quiesce/assertions for Vitest 4: the same runtime entry as `@quiesce/assertions` (importing it
 * registers the matchers), with the matchers declared on Vitest 4's `Matchers<T>` interface.
 * Import exactly one of `@quiesce/assertions`, `/vitest4` and `/vitest5`.
 */
import type { QuiesceMatchers } from '../dist/matcher-types.js';

export * from '../dist/public-api.js';

declare module 'vitest' {
  // Vitest 4 declares `interface Matchers<T = any> {}`; a merged declaration must repeat it exactly.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any, @typescript-eslint/no-empty-object-type, @typescript-eslint/no-unused-vars
  interface Matchers<T = any> extends QuiesceMatchers<void> {}
}
