/**
 * `@quiesce/chaos/script`: run chaos from a plain Node script, no Vitest (a soak of ten thousand
 * monkey steps, a nightly sweep of a thousand seeds). Imports nothing of @quiesce/harness. See
 * docs/chaos.md, "Chaos scripts".
 */
export { runChaos, type ChaosScriptResult, type ScriptSeedResult } from './run-chaos.js';
export type { ChaosScriptOptions, ScriptSeedContext, ScriptRunContext } from './options.js';
