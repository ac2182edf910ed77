import { expect } from 'vitest';
import { quiesceMatchers } from './matchers/index.js';

// The side effect of importing the package: Vitest's expect learns Quiesce's matchers. Matchers
// live on chai's Assertion prototype, shared by every `expect` of this worker, so once is enough.
expect.extend(quiesceMatchers);
