/**
 * @quiesce/assertions for Vitest 5: the same runtime entry as `@quiesce/assertions` (importing it
 * registers the matchers), with the matchers declared on Vitest 5's `Matchers<R, T>` interface:
 * synchronous matchers return `R` (`void`, or `Promise<void>` under `.resolves` / `.rejects`),
 * asynchronous ones `Promise<void>`. Import exactly one of `@quiesce/assertions`, `/vitest4` and
 * `/vitest5`.
 */
import type { QuiesceMatchers } from '../dist/matcher-types.js';

export * from '../dist/public-api.js';

declare module 'vitest' {
  // Vitest 5 declares `interface Matchers<R extends void | Promise<void> = void | Promise<void>, T = unknown> {}`.
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type, @typescript-eslint/no-unused-vars
  interface Matchers<R, T> extends QuiesceMatchers<R> {}
}
