/**
 * The JavaScript behind `@quiesce/assertions/vitest4` and `/vitest5`: registers the matchers and
 * exports the API. Their types (types/vitest4.d.ts, types/vitest5.d.ts) declare the matchers on
 * that major's `Matchers` interface instead of the default entry's version-neutral declaration.
 */
import './register-matchers.js';
export * from './public-api.js';
