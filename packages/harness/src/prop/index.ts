/**
 * @quiesce/harness/prop — property tests on fast-check with a fresh TestSystem per run. A subpath
 * of its own so that the main entry's types never need fast-check (an optional peer).
 */
export { propTest, type PropTest, type PropMeta } from './prop-test.js';
export {
  runProperty,
  resolvePropSeed,
  type PropContext,
  type PropBody,
  type Arbitraries,
  type PropertySpec,
  type PropertyOutcome,
  type PropSeed,
} from './run-property.js';
export { resolvePropOptions, readPropEnv, PROP_SEED_ENV, PROP_PATH_ENV, type PropTestOptions, type ResolvedPropOptions, type PropEnv } from './options.js';
export { propReplayCommand } from './replay.js';
export { PropertyFailure, type PropertyFailureDetails } from './property-failure.js';
