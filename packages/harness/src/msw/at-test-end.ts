import { onTestFinished as vitestOnTestFinished } from 'vitest';
import type { TestSystem } from '../system/test-system.js';

/** Where a verification is tied to the end of the test. */
export interface TestEndBinding {
  /** Verify at this system's teardown (and record HTTP traffic in its history). */
  system?: TestSystem | undefined;
  /** The test context's `onTestFinished` (for `test.concurrent`); default: Vitest's global one. */
  onTestFinished?: ((fn: () => void) => void) | undefined;
}

/**
 * Run `verify` when the test ends and fail the test if it throws: at the system's teardown when a
 * TestSystem is given, else through `onTestFinished`. `stop` (unsubscribing) always runs first.
 * Called before anything is subscribed, so a call outside a test leaves nothing behind.
 */
export function atTestEnd(label: string, binding: TestEndBinding, stop: () => void, verify: () => void): void {
  let done = false;
  const finish = (): void => {
    if (done) return;
    done = true;
    stop();
    verify();
  };
  if (binding.system) {
    binding.system.own({ kind: 'observer', label, dispose: finish, alive: () => false });
    return;
  }
  (binding.onTestFinished ?? vitestOnTestFinished)(finish);
}
