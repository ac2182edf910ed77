import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

// The planted-flaky project of bench/flaky/classify.mjs: plain JavaScript, no transform, no
// Quiesce import, so the bench measures `quiesce flaky` and nothing else.
export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  test: { include: ['*.planted.mjs'] },
});
