#!/usr/bin/env bash
# Consumer smoke test: the packages as a user gets them from the registry.
#
#  1. build, then `npm pack` every package in packages/* into a temp dir;
#  2. check each tarball: it holds package.json and dist (.js and .d.ts), every target of its
#     `exports` map, and no sources or tests;
#  3. create a fresh project OUTSIDE the repository (mktemp -d), `npm install` the tarballs plus
#     vitest 4.1.x, typescript and @types/node;
#  4. check that plain Node resolves each package through its `exports` map (and refuses deep
#     imports), run real Vitest tests that import all four packages, and type-check them with tsc
#     against the published .d.ts files. One test file uses the matchers without importing
#     @quiesce/assertions (the `quiesce()` preset registers them at run time): tsc sees their types
#     through `"types": ["node", "@quiesce/assertions"]` in tsconfig.json, the setup the docs give,
#     and is checked to fail without it.
#
# Usage: scripts/consumer-smoke.sh            KEEP_SMOKE=1 keeps the temp dir for inspection.
#        scripts/consumer-smoke.sh --vitest5  the same on Node 24 with Vitest 5 and @types/node 24
#                                             (the versions of the Vitest 5 lane)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
log() { echo "[smoke] $*" >&2; }
die() { log "error: $*"; exit 1; }

TMP="$(mktemp -d "${TMPDIR:-/tmp}/quiesce-smoke.XXXXXX")"
case "$TMP/" in "$ROOT"/*) die "the temp dir $TMP is inside the repository" ;; esac
cleanup() { if [[ "${KEEP_SMOKE:-}" == 1 ]]; then log "kept $TMP"; else rm -rf "$TMP"; fi; }
trap cleanup EXIT
PACKS="$TMP/tarballs"
APP="$TMP/consumer"
mkdir -p "$PACKS" "$APP"

cd "$ROOT"
# The versions the repository itself uses, so the consumer matches what the suites run on.
read -r VITEST_VERSION TS_VERSION TYPES_NODE_VERSION < <(node -e '
  const d = require("./package.json").devDependencies ?? {};
  console.log(d.vitest ?? "4.1.12", d.typescript ?? "~5.9.3", d["@types/node"] ?? "^20");
')
case "${1:-}" in
  "") [[ "$VITEST_VERSION" == 4.1.* || "$VITEST_VERSION" == ^4.1* || "$VITEST_VERSION" == ~4.1* ]] ||
    log "note: the repository's vitest is $VITEST_VERSION (this smoke test targets 4.1.x)" ;;
  --vitest5)
    source "$ROOT/scripts/vitest5-versions.sh"
    NODE_BIN="$(bash "$ROOT/scripts/node24.sh")"
    export PATH="$NODE_BIN:$PATH"
    hash -r
    [[ "$(node -v)" == v24.* ]] || die "expected Node 24 first on PATH, got $(node -v)"
    VITEST_VERSION="$VITEST5"
    TYPES_NODE_VERSION="$TYPES_NODE"
    log "Vitest 5 consumer: vitest $VITEST_VERSION, @types/node $TYPES_NODE_VERSION, node $(node -v)" ;;
  *) die "unknown argument '$1' (accepted: --vitest5)" ;;
esac

# ---- 1. build and pack ---------------------------------------------------------------------
log "building (tsc -b) from a clean dist: files of deleted sources must not ship"
rm -rf packages/*/dist packages/*/*.tsbuildinfo packages/*/tsconfig.tsbuildinfo
npm run build --silent

PKG_DIRS=()
for dir in packages/*/; do
  [[ -f "$dir/package.json" ]] && PKG_DIRS+=("${dir%/}")
done
[[ ${#PKG_DIRS[@]} -gt 0 ]] || die "no packages in packages/*"

TARBALLS=()
for dir in "${PKG_DIRS[@]}"; do
  file="$(cd "$dir" && npm pack --silent --pack-destination "$PACKS" | tail -n 1)"
  [[ -f "$PACKS/$file" ]] || die "npm pack in $dir produced no tarball"
  TARBALLS+=("$PACKS/$file")
  log "packed $dir -> $file ($(du -k "$PACKS/$file" | cut -f1) KB)"
done

# ---- 2. check the tarballs -------------------------------------------------------------------
for tgz in "${TARBALLS[@]}"; do
  tar -tzf "$tgz" >"$tgz.list"
  tar -xzf "$tgz" -O package/package.json >"$tgz.json"
  mkdir -p "$tgz.d" && tar -xzf "$tgz" -C "$tgz.d"
  node - "$tgz" <<'EOF'
const fs = require('node:fs');
const path = require('node:path');
const tgz = process.argv[2];
const files = new Set(fs.readFileSync(`${tgz}.list`, 'utf8').split('\n').filter(Boolean).map((f) => f.replace(/^package\//, '')));
const pkg = JSON.parse(fs.readFileSync(`${tgz}.json`, 'utf8'));
const problems = [];
const has = (f) => files.has(f.replace(/^\.\//, ''));
const dist = [...files].filter((f) => f.startsWith('dist/'));
if (!dist.some((f) => f.endsWith('.js'))) problems.push('no dist/**/*.js');
if (!dist.some((f) => f.endsWith('.d.ts'))) problems.push('no dist/**/*.d.ts');
// Every .js tsc built has its declaration next to it (the bundles under dist/bundle/ take theirs
// from the exports map's "types", checked below).
for (const f of dist.filter((f) => f.endsWith('.js') && !f.startsWith('dist/bundle/'))) if (!files.has(f.replace(/\.js$/, '.d.ts'))) problems.push(`${f} has no .d.ts`);
if (!dist.some((f) => f.startsWith('dist/bundle/') && f.endsWith('.js'))) problems.push('no bundle under dist/bundle/ (scripts/bundle.mjs)');
// Every target the exports map (and main/types) points at is in the tarball.
const targets = [];
const walk = (v, where) => {
  if (typeof v === 'string') targets.push([where, v]);
  else if (v && typeof v === 'object') for (const [k, sub] of Object.entries(v)) walk(sub, `${where}[${JSON.stringify(k)}]`);
};
if (!pkg.exports) problems.push('no "exports" map');
walk(pkg.exports, 'exports');
if (pkg.main) targets.push(['main', pkg.main]);
if (pkg.types) targets.push(['types', pkg.types]);
for (const [where, t] of targets) {
  if (t.includes('*')) {
    const re = new RegExp('^' + t.replace(/^\.\//, '').replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*') + '$');
    if (![...files].some((f) => re.test(f))) problems.push(`${where} -> ${t} matches nothing`);
  } else if (!has(t)) problems.push(`${where} -> ${t} is missing`);
}
if (!pkg.exports?.['.']?.types && !pkg.types) problems.push('no types entry for "."');
// Every source map must point at a file the package ships.
for (const f of dist.filter((f) => f.endsWith('.js.map'))) {
  const map = JSON.parse(fs.readFileSync(path.join(`${tgz}.d`, 'package', f), 'utf8'));
  for (const s of map.sources ?? []) if (!has(path.posix.join(path.posix.dirname(f), s))) problems.push(`${f} points at ${s}, which is not shipped`);
}
// Tests and build state stay out of what users download; src/ ships so the source maps resolve.
for (const f of files) {
  if (/^test\//.test(f) || f.endsWith('.tsbuildinfo') || /(^|\/)\.(env|npmrc)$/.test(f)) problems.push(`ships ${f}`);
}
const name = path.basename(tgz);
if (problems.length) {
  console.error(`[smoke] ${name}: ${problems.length} problem(s):\n  - ${problems.join('\n  - ')}`);
  process.exit(1);
}
console.error(`[smoke] ${name}: ${files.size} files, ${dist.filter((f) => f.endsWith('.js')).length} .js, ${dist.filter((f) => f.endsWith('.d.ts')).length} .d.ts, exports ok`);
EOF
done

# ---- 3. a fresh consumer project ----------------------------------------------------------------
cd "$APP"
# The tarballs as dependencies, the test tools as devDependencies: one `npm install`.
node - "$VITEST_VERSION" "$TS_VERSION" "$TYPES_NODE_VERSION" "${TARBALLS[@]}" <<'EOF'
const fs = require('node:fs');
const [vitest, typescript, typesNode, ...tarballs] = process.argv.slice(2);
const dependencies = {};
for (const tgz of tarballs) dependencies[JSON.parse(fs.readFileSync(`${tgz}.json`, 'utf8')).name] = `file:${tgz}`;
const pkg = {
  name: 'quiesce-consumer-smoke',
  private: true,
  version: '0.0.0',
  type: 'module',
  scripts: { test: 'vitest run' },
  dependencies,
  devDependencies: { vitest, typescript, '@types/node': typesNode },
};
fs.writeFileSync('package.json', JSON.stringify(pkg, null, 2) + '\n');
EOF
cat >tsconfig.json <<'EOF'
{
  "compilerOptions": {
    "target": "ES2022",
    "lib": ["ES2023"],
    "module": "NodeNext",
    "moduleResolution": "NodeNext",
    "strict": true,
    "noEmit": true,
    "skipLibCheck": false,
    "verbatimModuleSyntax": true,
    "types": ["node", "@quiesce/assertions"]
  },
  "include": ["test/**/*.ts"]
}
EOF
# The same without the matchers' types entry: tsc must not see them (the mistake the docs warn about).
cat >tsconfig.no-matcher-types.json <<'EOF'
{
  "extends": "./tsconfig.json",
  "compilerOptions": { "types": ["node"] },
  "include": ["test/preset.test.ts"]
}
EOF
# The preset, as the docs set it up: a run seed, the tags, and the matchers registered at run time.
cat >vitest.config.ts <<'EOF'
import { defineConfig } from 'vitest/config';
import { quiesce } from '@quiesce/harness/plugin';

export default defineConfig({ plugins: [quiesce()] });
EOF
mkdir -p test
cat >test/smoke.test.ts <<'EOF'
import { expect, test } from 'vitest';
import { Runtime, startSupervisor, supervisor, worker, VERSION, type HistoryEvent, type Pid } from '@quiesce/runtime';
import * as harness from '@quiesce/harness';
import * as assertions from '@quiesce/assertions';
import * as chaos from '@quiesce/chaos';
import { runChaos } from '@quiesce/chaos/script';

test('every published package loads', () => {
  expect(typeof VERSION).toBe('string');
  for (const mod of [harness, assertions, chaos]) expect(Object.keys(mod).length).toBeGreaterThan(0);
  expect(typeof runChaos).toBe('function'); // the chaos-script entry of the exports map
});

test('a supervisor restarts a crashed child with a new pid', async () => {
  const rt = new Runtime({ clock: 'virtual', seed: 1 });
  try {
    const crashy = worker('w1', (ctx) =>
      ctx.spawn((message) => {
        if (message === 'crash') throw new Error('boom');
      }),
    );
    const sup = await startSupervisor(rt, supervisor({ id: 'pool', strategy: 'one_for_one', children: [crashy] }));
    const before: Pid | undefined = sup.child('w1');
    expect(before).toBeDefined();

    rt.send(before!, 'crash');
    await rt.idle();

    const after = sup.child('w1');
    expect(after).toBeDefined();
    expect(after!.toString()).not.toBe(before!.toString());
    expect(rt.isAlive(before!)).toBe(false);
    expect(rt.isAlive(after!)).toBe(true);
    const restarts: HistoryEvent[] = rt.history.ofKind('child.restart');
    expect(restarts).toHaveLength(1);
    expect(restarts[0]!.data).toMatchObject({ id: 'w1', pid: after!.toString() });
  } finally {
    await rt.shutdown();
  }
});
EOF

# The way a user writes tests: the harness's fixtures, the matchers, a leased port.
cat >test/harness.test.ts <<'EOF'
import '@quiesce/assertions';
import { test, expect } from '@quiesce/harness';
import { supervisor, worker } from '@quiesce/runtime';

test('the system fixture, an event-driven wait and the matchers', async ({ system, inbox }) => {
  const pool = await system.start(
    supervisor({
      id: 'pool',
      intensity: 3,
      children: [worker('w1', (ctx) => ctx.spawn((m) => { if (m === 'crash') throw new Error('boom'); }))],
    }),
  );
  expect(pool).toHaveChildren(['w1']);
  system.send(pool.child('w1')!, 'crash');
  await expect(pool).toRestart('w1');
  await expect(pool).not.toRestart('w1');
  system.send(inbox.pid, { type: 'hello' });
  await expect(inbox).toReceive({ type: 'hello' });
  expect(await system.port()).toBeGreaterThan(0);
});
EOF

# The first test a user of a worker pool writes: supervised OS workers (Node TCP echo servers) on
# leased ports, ready on a stdout line; a job over TCP crashes one; the restart is asserted.
cat >test/echo-worker.mjs <<'EOF'
import { createServer } from 'node:net';
import { createInterface } from 'node:readline';
const server = createServer((socket) => {
  socket.on('error', () => undefined);
  createInterface({ input: socket }).on('line', (line) => {
    if (line === 'crash') process.exit(1);
    socket.write(`${line}\n`);
  });
});
server.listen(Number(process.argv[2]), '127.0.0.1', () => console.log(`ready ${server.address().port}`));
EOF
cat >test/pool.test.ts <<'EOF'
import '@quiesce/assertions';
import { connect } from 'node:net';
import { fileURLToPath } from 'node:url';
import { test, expect } from '@quiesce/harness';
import { osProcess, supervisor } from '@quiesce/runtime';

const worker = fileURLToPath(new URL('./echo-worker.mjs', import.meta.url));

function request(port: number, line: string): Promise<string> {
  return new Promise((resolve, reject) => {
    let answer = '';
    const socket = connect({ host: '127.0.0.1', port }, () => socket.write(`${line}\n`));
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      answer += chunk;
      if (answer.includes('\n')) socket.end();
    });
    socket.on('close', () => resolve(answer.trim()));
    socket.on('error', reject);
  });
}

test('a supervised pool of OS workers on leased ports restarts the one a job crashed', async ({ system }) => {
  const ports = [await system.port(), await system.port()];
  const pool = await system.start(
    supervisor({
      id: 'pool',
      intensity: 3,
      period: 5,
      children: ports.map((port, i) => osProcess(`w${i + 1}`, { command: process.execPath, args: [worker, String(port)], ready: /^ready \d+$/ })),
    }),
  );
  expect(await request(ports[0]!, 'hello')).toBe('hello');
  const mark = system.mark();
  await request(ports[1]!, 'crash');
  await expect(pool).toRestart('w2', { since: mark });
  await expect(pool).not.toRestart('w1', { since: mark });
  expect(await request(ports[1]!, 'again')).toBe('again');
});
EOF

# The packages ship bundles (scripts/bundle.mjs): the entries of a package must share one copy of
# each module.
cat >test/entries.test.ts <<'EOF'
import { expect, test } from 'vitest';

// Every entry of every package, loaded together as one test file might. A name that two entries of
// one package export, or that an entry re-exports from @quiesce/runtime, must be one value: entries
// carrying their own copies of a module would break `instanceof` and module state between them.
// (Different packages may use one name for different things: chaos's and the assertions' `sweep`.)
// Not @quiesce/chaos/linearizability: it needs the optional peer fast-check, not installed here.
const ENTRIES = [
  '@quiesce/runtime',
  '@quiesce/runtime/internal',
  '@quiesce/harness',
  '@quiesce/harness/plugin',
  '@quiesce/harness/prop',
  '@quiesce/harness/internal',
  '@quiesce/harness/reporter',
  '@quiesce/harness/tools',
  '@quiesce/chaos',
  '@quiesce/chaos/script',
  '@quiesce/assertions',
];

const packageOf = (entry: string) => entry.split('/').slice(0, 2).join('/');

test('every entry loads, and a name shared by two entries is one value', async () => {
  const seen = new Map<string, { entry: string; value: unknown }>();
  const split: string[] = [];
  let shared = 0;
  for (const entry of ENTRIES) {
    const mod: Record<string, unknown> = await import(entry);
    for (const [name, value] of Object.entries(mod)) {
      if (typeof value !== 'function' && (typeof value !== 'object' || value === null)) continue;
      const own = `${packageOf(entry)} ${name}`;
      const earlier = new Set([seen.get(own), seen.get(`@quiesce/runtime ${name}`)]);
      for (const first of earlier) {
        if (first === undefined) continue;
        shared++;
        if (first.value !== value) split.push(`${name}: ${first.entry} and ${entry}`);
      }
      if (!seen.has(own)) seen.set(own, { entry, value });
    }
  }
  expect(split).toEqual([]);
  expect(shared).toBeGreaterThan(10);
});
EOF

# Matchers with no import of @quiesce/assertions: registered by the preset, typed by tsconfig's `types`.
cat >test/preset.test.ts <<'EOF'
import { test, expect } from '@quiesce/harness';
import { supervisor, worker } from '@quiesce/runtime';

test('the matchers of the preset, typed through tsconfig', async ({ system, inbox }) => {
  const pool = await system.start(supervisor({ id: 'pool', children: [worker('w1', (ctx) => ctx.spawn(() => undefined))] }));
  expect(pool).toHaveChildren(['w1']);
  system.send(inbox.pid, { type: 'ready' });
  await expect(inbox).toReceive({ type: 'ready' });
  await expect(inbox).not.toReceive({ type: 'error' });
});
EOF

# A test file of the same project that never touches Quiesce: the preset loads none of it there
# (the runtime leaves a realm mark when it loads), and a matcher says why it is not loaded.
cat >test/plain.test.ts <<'EOF'
import { expect, test } from 'vitest';

test('a file without Quiesce loads none of it, and a Quiesce matcher there says why it is missing', () => {
  expect((globalThis as Record<symbol, unknown>)[Symbol.for('quiesce.runtime.loaded')]).toBeUndefined();
  expect(() => expect(1).toBeAlive()).toThrow(/not loaded in this test file.*import '@quiesce\/assertions'/s);
  expect(5).toSatisfy((n: number) => n > 1);
});
EOF

log "npm install of the tarballs + vitest@$VITEST_VERSION, typescript@$TS_VERSION, @types/node@$TYPES_NODE_VERSION in $APP"
npm install --no-audit --no-fund

# The path the harness's messages give for a guide is one this project has.
for guide in containers flaky; do
  [[ -f "node_modules/@quiesce/harness/docs/$guide.md" ]] || die "node_modules/@quiesce/harness/docs/$guide.md is missing: the harness's messages name it (scripts/package-docs.mjs copies it at build)"
done

# Each @quiesce package must come from our tarball, once (no registry copy, no duplicate runtime).
node <<'EOF'
const fs = require('node:fs');
const lock = JSON.parse(fs.readFileSync('package-lock.json', 'utf8'));
const problems = [];
const seen = {};
for (const [where, entry] of Object.entries(lock.packages ?? {})) {
  const m = where.match(/node_modules\/(@quiesce\/[^/]+)$/);
  if (!m) continue;
  (seen[m[1]] ??= []).push(where);
  if (!String(entry.resolved ?? '').startsWith('file:')) problems.push(`${where} resolved from ${entry.resolved ?? '(unknown)'}, not a packed tarball`);
}
for (const [name, places] of Object.entries(seen)) if (places.length > 1) problems.push(`${name} installed ${places.length} times: ${places.join(', ')}`);
if (Object.keys(seen).length === 0) problems.push('no @quiesce packages installed');
if (problems.length) {
  console.error(`[smoke] ${problems.join('\n[smoke] ')}`);
  process.exit(1);
}
console.error(`[smoke] installed from tarballs: ${Object.keys(seen).sort().join(', ')}`);
EOF

# ---- 4. use them -------------------------------------------------------------------------------
log "plain Node resolves every package through its exports map"
# Packages that peer-depend on vitest extend its `test`/`expect` at import time, so they only load
# inside a test run (checked by the Vitest test below); here their exports map is resolved only.
node --input-type=module - "${TARBALLS[@]}" <<'EOF'
import { readFileSync } from 'node:fs';
for (const tgz of process.argv.slice(2)) {
  const pkg = JSON.parse(readFileSync(`${tgz}.json`, 'utf8'));
  const name = pkg.name;
  const url = import.meta.resolve(name);
  if (!url.includes('/node_modules/')) throw new Error(`${name} resolved to ${url}, not to the installed package`);
  import.meta.resolve(`${name}/package.json`);
  let deep;
  try {
    deep = import.meta.resolve(`${name}/dist/index.js`);
  } catch (e) {
    if (e.code !== 'ERR_PACKAGE_PATH_NOT_EXPORTED') throw e;
  }
  if (deep) throw new Error(`${name}/dist/index.js resolves (${deep}): the exports map does not encapsulate the package`);
  let how = 'resolved';
  if (!pkg.peerDependencies?.vitest) {
    const mod = await import(name);
    if (Object.keys(mod).length === 0) throw new Error(`${name} exports nothing`);
    how = `imported, ${Object.keys(mod).length} exports`;
  }
  console.error(`[smoke] ${name}@${pkg.version}: ${how} (${url.replace(/^.*\/node_modules\//, '')})`);
}
EOF

log "plain Node imports @quiesce/harness/tools (the helpers for scripts outside a Vitest run) and uses them"
node --input-type=module <<'EOF'
import { createServer } from 'node:http';
import { awaitHealthy, load } from '@quiesce/harness/tools';
const server = createServer((_req, res) => res.end('ok')).listen(0, '127.0.0.1');
await new Promise((resolve) => server.once('listening', resolve));
const url = `http://127.0.0.1:${server.address().port}`;
const health = await awaitHealthy(`${url}/health`, { timeout: 5000 });
const stats = await load(url, { requests: 20, concurrency: 2 });
server.close();
if (health.status !== 200 || stats.errors !== 0 || stats.latency.count !== 20) throw new Error(`unexpected: ${JSON.stringify({ health, stats })}`);
console.error('[smoke] @quiesce/harness/tools: awaitHealthy and load ran in plain Node');
EOF

log "vitest run (vitest $(npx --no-install vitest --version))"
npx --no-install vitest run

log "tsc --noEmit against the published .d.ts (skipLibCheck: false)"
npx --no-install tsc -p tsconfig.json
log "without the types entry, tsc does not see the matchers of test/preset.test.ts"
if out="$(npx --no-install tsc -p tsconfig.no-matcher-types.json 2>&1)"; then
  die "tsc saw the matchers without the types entry: the smoke test no longer proves the docs' setup"
fi
grep -q "Property 'toHaveChildren' does not exist" <<<"$out" || die "tsc failed for another reason: $out"
log "ok"
