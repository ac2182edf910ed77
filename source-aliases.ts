import { fileURLToPath } from 'node:url';

const at = (path: string) => fileURLToPath(new URL(`./packages/${path}`, import.meta.url));

/**
 * The Quiesce packages resolved to their sources, for this repository's Vitest configs (the root
 * one and the nested projects its tests run): tests import the packages by name, coverage measures
 * src/ and no build is needed between edits. Sub-paths come before their package, so
 * '@quiesce/harness/prop' is not read as '<harness src>/prop'.
 */
export const SOURCE_ALIASES: Record<string, string> = {
  '@quiesce/harness/prop': at('harness/src/prop/index.ts'),
  '@quiesce/harness/internal': at('harness/src/internal.ts'),
  '@quiesce/harness/tools': at('harness/src/tools.ts'),
  '@quiesce/chaos/script': at('chaos/src/script/index.ts'),
  '@quiesce/chaos/linearizability': at('chaos/src/linearizability/index.ts'),
  '@quiesce/assertions/preset': at('assertions/src/preset.ts'),
  '@quiesce/runtime/internal': at('runtime/src/internal.ts'),
  '@quiesce/runtime': at('runtime/src/index.ts'),
  '@quiesce/harness': at('harness/src/index.ts'),
  '@quiesce/assertions': at('assertions/src/index.ts'),
  '@quiesce/chaos': at('chaos/src/index.ts'),
};
