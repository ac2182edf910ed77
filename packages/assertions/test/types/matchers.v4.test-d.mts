// The Vitest 4 entry: matchers on Vitest 4's Matchers<T>.
import { expect, expectTypeOf } from 'vitest';
import type { SupervisorRef } from '@quiesce/runtime';
import * as api from '@quiesce/assertions/vitest4';
import { checks } from './shared.mjs';

void checks(api);

declare const ref: SupervisorRef;
// Under .resolves / .rejects Vitest 4 promisifies every matcher.
expectTypeOf(expect(Promise.resolve(ref)).resolves.toBeAlive()).toEqualTypeOf<Promise<void>>();
// The matchers reach expect.extend's typing as well.
expectTypeOf<Parameters<import('vitest').Matchers['toRestart']>>().toEqualTypeOf<[childId?: string | api.RestartOptions, options?: api.RestartOptions]>();
