/**
 * @quiesce/assertions — placeholder entry point; the capability lands with its own issue.
 * It re-exports the runtime's version so the package is importable and type-checks today.
 */
export { VERSION as RUNTIME_VERSION } from '@quiesce/runtime';
