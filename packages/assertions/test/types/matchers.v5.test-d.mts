// The Vitest 5 entry: matchers on Vitest 5's Matchers<R, T>.
import { expect, expectTypeOf } from 'vitest';
import type { SupervisorRef } from '@quiesce/runtime';
import * as api from '@quiesce/assertions/vitest5';
import { checks } from './shared.mjs';

void checks(api);

declare const ref: SupervisorRef;
// Synchronous matchers return R: void on expect(x), Promise<void> under .resolves.
expectTypeOf(expect(ref).toBeAlive()).toEqualTypeOf<void>();
expectTypeOf(expect(Promise.resolve(ref)).resolves.toBeAlive()).toEqualTypeOf<Promise<void>>();
expectTypeOf<Parameters<import('vitest').Matchers['toRestart']>>().toEqualTypeOf<[childId?: string | api.RestartOptions, options?: api.RestartOptions]>();
