import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';

// The packages' dependency direction (docs/architecture.md): the runtime imports nothing of ours;
// the harness imports only the runtime; the matchers and chaos import the runtime and the
// harness; nothing imports an example. Checked on every import and export-from of every source
// file, and on each package.json's dependencies, so a step up the wrong way fails here.

const root = fileURLToPath(new URL('../../../../', import.meta.url));
const ALLOWED: Record<string, readonly string[]> = {
  runtime: [],
  harness: ['runtime'],
  assertions: ['runtime', 'harness'],
  chaos: ['runtime', 'harness'],
};

function sources(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...sources(path));
    else if (/\.(ts|mts|js|mjs)$/.test(name) && !name.endsWith('.d.ts')) out.push(path);
  }
  return out;
}

/** Every module specifier a file imports or re-exports (static and dynamic). */
function specifiers(text: string): string[] {
  const found: string[] = [];
  const patterns = [/\bfrom\s+['"]([^'"]+)['"]/g, /\bimport\s*\(\s*['"]([^'"]+)['"]\s*\)/g, /^\s*import\s+['"]([^'"]+)['"]/gm];
  for (const pattern of patterns) for (const match of text.matchAll(pattern)) found.push(match[1]!);
  return found;
}

describe('the packages depend on each other in one direction only', () => {
  for (const [pkg, allowed] of Object.entries(ALLOWED)) {
    test(`@quiesce/${pkg} imports only ${allowed.length ? allowed.map((a) => `@quiesce/${a}`).join(' and ') : 'nothing of ours'}, and no example`, () => {
      const problems: string[] = [];
      const src = join(root, 'packages', pkg, 'src');
      for (const file of sources(src)) {
        for (const spec of specifiers(readFileSync(file, 'utf8'))) {
          const ours = spec.match(/^@quiesce\/([^/]+)/)?.[1];
          // Its own name (a sub-path of itself) is not a step to another package.
          if (ours !== undefined && ours !== pkg && !allowed.includes(ours)) problems.push(`${relative(root, file)} imports ${spec}`);
          if (/(^|\/)examples\//.test(spec)) problems.push(`${relative(root, file)} imports an example: ${spec}`);
          // A relative import that leaves the package reaches into another one behind its back.
          if (spec.startsWith('.') && !join(file, '..', spec).startsWith(join(root, 'packages', pkg)))
            problems.push(`${relative(root, file)} reaches outside its package: ${spec}`);
        }
      }
      const manifest = JSON.parse(readFileSync(join(root, 'packages', pkg, 'package.json'), 'utf8')) as Record<string, Record<string, string> | undefined>;
      for (const field of ['dependencies', 'peerDependencies', 'optionalDependencies'] as const) {
        for (const dep of Object.keys(manifest[field] ?? {})) {
          const ours = dep.match(/^@quiesce\/(.+)$/)?.[1];
          if (ours !== undefined && !allowed.includes(ours)) problems.push(`package.json ${field} names ${dep}`);
        }
      }
      expect(problems).toEqual([]);
    });
  }

  test('the check itself sees imports, re-exports and dynamic imports', () => {
    const text = "import { a } from '@quiesce/harness';\nexport * from './x.js';\nconst m = await import('@quiesce/chaos');\nimport '@quiesce/assertions';";
    expect(specifiers(text).sort()).toEqual(['./x.js', '@quiesce/assertions', '@quiesce/chaos', '@quiesce/harness']);
  });
});
