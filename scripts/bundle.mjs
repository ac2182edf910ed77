// Bundles each package's public entries into dist/bundle/, after `tsc -b` has built dist/.
//
// Why: Node loads an ES module file by file (resolve, read, compile, link), and a test file that
// imports @quiesce/harness pulled in 133 of them — about 110 ms of CPU in every fresh Vitest
// worker, which under Vitest's default isolation is every test file. Bundled, the same import is about
// a dozen files and costs a test file about a quarter as much (bench/README, "Eighth pass").
//
// The package.json `exports` name the bundles (`./dist/bundle/<entry>.js`); each entry is built
// from the tsc output it mirrors (`./dist/<entry>.js`), with the entries of one package sharing
// chunks, so a package has one instance of every module whichever entries a process loads. Other
// packages (@quiesce/* included) and Node's built-ins stay imports. Source maps chain through tsc's
// own, so a bundled frame maps to its line in src/.
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { rolldown } from 'rolldown';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
/** Every package of the workspace: a new one is bundled too (and fails here if its exports name no bundle). */
const PACKAGES = readdirSync(join(root, 'packages')).filter((name) => existsSync(join(root, 'packages', name, 'package.json')));
const BUNDLE_PREFIX = './dist/bundle/';

/**
 * Files loaded by path rather than through an export, bundled beside the entry that names them:
 * the preset's setup files, which the plugin finds next to itself.
 */
const LOADED_BY_PATH = { harness: ['preset/setup', 'preset/docker-global-setup'] };

/** The entries of a package: bundle name → the tsc-built module it mirrors. */
function entriesOf(name) {
  const dir = join(root, 'packages', name);
  const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
  const entries = {};
  for (const [subpath, target] of Object.entries(pkg.exports)) {
    const file = typeof target === 'object' ? target.import : undefined;
    if (file === undefined) continue;
    if (!file.startsWith(BUNDLE_PREFIX))
      throw new Error(`${name}: exports["${subpath}"].import is ${file}; every import export names a bundle under ${BUNDLE_PREFIX}`);
    const entry = file.slice(BUNDLE_PREFIX.length, -'.js'.length);
    entries[entry] = join(dir, 'dist', `${entry}.js`);
  }
  for (const entry of LOADED_BY_PATH[name] ?? []) entries[entry] = join(dir, 'dist', `${entry}.js`);
  return { dir, entries };
}

/** Hands each module to the bundler with tsc's source map, so the bundle's map reaches src/. */
const tscSourceMaps = {
  name: 'tsc-source-maps',
  load(id) {
    if (!id.endsWith('.js') || !existsSync(`${id}.map`)) return null;
    return { code: readFileSync(id, 'utf8'), map: readFileSync(`${id}.map`, 'utf8') };
  },
};

/** Only the package's own files are bundled: anything named by a bare specifier stays an import. */
const isExternal = (id) => !id.startsWith('.') && !id.startsWith('/');

for (const name of PACKAGES) {
  const { dir, entries } = entriesOf(name);
  const out = join(dir, 'dist', 'bundle');
  rmSync(out, { recursive: true, force: true });
  const build = await rolldown({ input: entries, external: isExternal, platform: 'node', plugins: [tscSourceMaps] });
  // Chunks sit at the top of dist/bundle/, as deep in the package as dist/*.js: a module that
  // finds a file of its package relative to itself (chaos's FAULTY_CHILD) finds it from either.
  // They are named after the package, not after whichever module the bundler picked, so a stack
  // frame in one reads `runtime-<hash>.js`, not the name of an unrelated module.
  await build.write({ dir: out, format: 'esm', sourcemap: true, entryFileNames: '[name].js', chunkFileNames: `${name}-[hash].js` });
  await build.close();
}
