// The packages publish bundles (scripts/bundle.mjs): every export names a built file, and the
// modules that find files relative to themselves still find them from inside a bundle. Reads the
// built packages, as an installed project does.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, test } from 'vitest';
import { REPO_ROOT } from './vitest-subprocess.js';

const PACKAGES = ['runtime', 'harness', 'chaos', 'assertions'];

function packageJson(name: string): { exports: Record<string, unknown>; main?: string } {
  return JSON.parse(readFileSync(join(REPO_ROOT, 'packages', name, 'package.json'), 'utf8'));
}

describe('the published bundles', () => {
  test.each(PACKAGES)('@quiesce/%s: every export names a bundle that was built, beside the types tsc built', (name) => {
    const dir = join(REPO_ROOT, 'packages', name);
    const pkg = packageJson(name);
    const targets = Object.values(pkg.exports).filter((t): t is { types: string; import: string } => typeof t === 'object' && t !== null);
    expect(targets.length).toBeGreaterThan(0);
    for (const { types, import: file } of targets) {
      expect(file).toMatch(/^\.\/dist\/bundle\/.+\.js$/);
      expect(existsSync(join(dir, file)), `${name}: ${file}`).toBe(true);
      expect(existsSync(join(dir, types)), `${name}: ${types}`).toBe(true);
    }
    expect(pkg.main && existsSync(join(dir, pkg.main))).toBe(true);
  });

  test('the bundled plugin names setup files that exist next to it', async () => {
    const plugin = join(REPO_ROOT, 'packages/harness/dist/bundle/preset/plugin.js');
    const { setupFilePath, dockerGlobalSetupPath } = (await import(/* @vite-ignore */ pathToFileURL(plugin).href)) as {
      setupFilePath: () => string;
      dockerGlobalSetupPath: () => string;
    };
    for (const file of [setupFilePath(), dockerGlobalSetupPath()]) {
      expect(dirname(file)).toBe(dirname(plugin));
      expect(existsSync(file), file).toBe(true);
    }
  });

  test('the bundled @quiesce/chaos finds the faulty-child program it ships', async () => {
    const chaos = join(REPO_ROOT, 'packages/chaos/dist/bundle/index.js');
    const { FAULTY_CHILD } = (await import(/* @vite-ignore */ pathToFileURL(chaos).href)) as { FAULTY_CHILD: string };
    expect(FAULTY_CHILD).toBe(join(REPO_ROOT, 'packages/chaos/fixtures/faulty-child.mjs'));
    expect(existsSync(FAULTY_CHILD)).toBe(true);
  });

  /** Every bare specifier a bundled module loads statically, following its own chunks. */
  function staticImports(file: string, seen = new Set<string>()): Set<string> {
    const bare = new Set<string>();
    if (seen.has(file)) return bare;
    seen.add(file);
    const code = readFileSync(file, 'utf8');
    for (const [, spec] of code.matchAll(/^import\s+(?:[^'"]*?\s+from\s+)?["']([^"']+)["'];?$/gm)) {
      if (spec === undefined) continue;
      if (spec.startsWith('.')) for (const b of staticImports(join(dirname(file), spec), seen)) bare.add(b);
      else bare.add(spec);
    }
    return bare;
  }

  test("the preset's setup file and the matchers' loader load nothing of Quiesce before a test file does (the runtime's mark says a file uses Quiesce)", () => {
    const setup = staticImports(join(REPO_ROOT, 'packages/harness/dist/bundle/preset/setup.js'));
    const loader = staticImports(join(REPO_ROOT, 'packages/assertions/dist/bundle/preset.js'));
    expect([...setup].sort()).toEqual(['vitest']);
    expect([...loader].sort()).toEqual(['vitest']);
    // The check itself sees a chunk's imports: the full matchers do load the runtime.
    expect(staticImports(join(REPO_ROOT, 'packages/assertions/dist/bundle/index.js'))).toContain('@quiesce/runtime');
  });
});
