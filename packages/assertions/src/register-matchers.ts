import { expect } from 'vitest';
import { quiesceMatchers } from './matchers/index.js';
import { MATCHERS_REGISTERED } from './matchers/names.js';

// The side effect of importing the package: Vitest's expect learns Quiesce's matchers. Matchers
// live on chai's Assertion prototype, shared by every `expect` of this worker, so once is enough.
expect.extend(quiesceMatchers);
// Said realm-wide, so the preset never puts its placeholders back over them (preset.ts).
(globalThis as Record<symbol, unknown>)[MATCHERS_REGISTERED] = true;
