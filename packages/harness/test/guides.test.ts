import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, test } from 'vitest';
import { ENGINE_HINT } from '@quiesce/harness';
import { USAGE } from '../src/cli/usage.js';

// A message that sends a user to a guide names a path their project has: the guides ship in the
// package (packages/harness/docs, copied at build), not this repository's docs/, which a project
// that installed the package does not have.

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const src = join(root, 'packages', 'harness', 'src');

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sources(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [],
  );
}

test('every guide a message names ships in the package, with the section it names', () => {
  const named = sources(src).flatMap((file) =>
    [...readFileSync(file, 'utf8').matchAll(/guide\('([^']+)'(?:, '([^']+)')?\)/g)].map((m) => ({ file, guide: m[1]!, section: m[2] })),
  );
  expect(named.length).toBeGreaterThanOrEqual(3);
  for (const { guide, section } of named) {
    const shipped = join(root, 'packages', 'harness', 'docs', guide);
    expect(existsSync(shipped), `${guide} is not in packages/harness/docs (npm run build copies it)`).toBe(true);
    if (section !== undefined) expect(readFileSync(shipped, 'utf8')).toContain(`## ${section}\n`);
  }
});

test('the engine hint and the CLI usage name the shipped guides, not repository paths', () => {
  for (const text of [ENGINE_HINT, USAGE]) {
    const paths = [...text.matchAll(/node_modules\/@quiesce\/harness\/docs\/[\w-]+\.md/g)].map((m) => m[0]);
    expect(paths).toHaveLength(1);
    // The package is linked into this repository's node_modules as a user's install puts it there.
    expect(existsSync(join(root, paths[0]!))).toBe(true);
    expect(text).not.toMatch(/(?<![\w/@-])docs\/[\w-]+\.md/);
  }
});
