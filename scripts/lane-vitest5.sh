#!/usr/bin/env bash
# The Vitest 5 lane: the SAME test suites, run by Vitest 5.1.0 on Node 24.
#
# Vitest 5 needs Node >= 22 and the test files `import { test, expect } from 'vitest'`, so `vitest`
# must resolve to 5.1.0 from the test files themselves. The lane therefore works on a copy of the
# repository in .cache/lane-vitest5/ (the files git tracks plus untracked, non-ignored ones), with
# every `vitest` / `@vitest/*` dependency rewritten to 5.1.0 and `@types/node` to ^24, plus msw 3
# (as the alias `msw3`, which needs Node >= 22.12 and so is kept out of the root install), installed
# and tested with Node 24 (scripts/node24.sh) first on PATH. The working tree is never modified.
#
# Usage: scripts/lane-vitest5.sh [extra vitest args]     e.g. scripts/lane-vitest5.sh packages/runtime
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# VITEST5, TYPES_NODE, MSW3, TESTCONTAINERS12
source "$ROOT/scripts/vitest5-versions.sh"
LANE="$ROOT/.cache/lane-vitest5"

log() { echo "[lane-vitest5] $*" >&2; }
die() { log "error: $*"; exit 1; }

NODE_BIN="$(bash "$ROOT/scripts/node24.sh")"
export PATH="$NODE_BIN:$PATH"
hash -r
[[ "$(command -v node)" == "$NODE_BIN/node" ]] || die "node on PATH is $(command -v node), expected $NODE_BIN/node"
[[ "$(node -v)" == v24.* ]] || die "expected Node 24, got $(node -v)"

# ---- 1. a fresh copy of the tree (keeping the lane's node_modules for speed) -----------------
mkdir -p "$LANE"
find "$LANE" -mindepth 1 -maxdepth 1 ! -name node_modules -exec rm -rf {} +

cd "$ROOT"
if git -C "$ROOT" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
  # Tracked files plus new files not ignored (work in progress shows up too); skip deleted ones.
  git ls-files -z --cached --others --exclude-standard --deduplicate |
    while IFS= read -r -d '' f; do if [[ -e "$f" || -L "$f" ]]; then printf '%s\0' "$f"; fi; done |
    tar --null --no-recursion -T - -cf - | tar -xf - -C "$LANE"
else
  tar --exclude=./node_modules --exclude='*/node_modules' --exclude=./.cache --exclude='*/dist' \
    --exclude=./.git --exclude='*.tsbuildinfo' --exclude=./coverage -cf - . | tar -xf - -C "$LANE"
fi
log "copied $(find "$LANE" -path "$LANE/node_modules" -prune -o -type f -print | wc -l) files into $LANE"

# ---- 2. rewrite the dependencies on Vitest to 5.1.0 -----------------------------------------
cd "$LANE"
node - "$VITEST5" "$TYPES_NODE" "$MSW3" "$TESTCONTAINERS12" <<'EOF'
const fs = require('node:fs');
const path = require('node:path');
const [vitest5, typesNode, msw3, testcontainers12] = process.argv.slice(2);
const root = JSON.parse(fs.readFileSync('package.json', 'utf8'));
root.devDependencies = { ...root.devDependencies, msw3 };
root.allowScripts = { ...root.allowScripts, msw3: false };
fs.writeFileSync('package.json', JSON.stringify(root, null, 2) + '\n');
console.error(`[lane-vitest5] package.json: devDependencies.msw3: ${msw3}`);
// The root and every workspace (workspace globs here are `dir` or `dir/*`).
const files = ['package.json'];
for (const ws of root.workspaces ?? []) {
  const dirs = ws.endsWith('/*')
    ? (fs.existsSync(ws.slice(0, -2)) ? fs.readdirSync(ws.slice(0, -2)).map((d) => path.join(ws.slice(0, -2), d)) : [])
    : [ws];
  for (const d of dirs) if (fs.existsSync(path.join(d, 'package.json'))) files.push(path.join(d, 'package.json'));
}
for (const file of files) {
  const pkg = JSON.parse(fs.readFileSync(file, 'utf8'));
  const changes = [];
  for (const field of ['dependencies', 'devDependencies', 'optionalDependencies']) {
    const deps = pkg[field];
    if (!deps) continue;
    for (const name of Object.keys(deps)) {
      const pinned = { '@types/node': typesNode, testcontainers: testcontainers12 };
      const want = name === 'vitest' || name.startsWith('@vitest/') ? vitest5 : Object.hasOwn(pinned, name) ? pinned[name] : undefined;
      if (want !== undefined && deps[name] !== want) {
        changes.push(`${field}.${name}: ${deps[name]} -> ${want}`);
        deps[name] = want;
      }
    }
  }
  if (changes.length) {
    fs.writeFileSync(file, JSON.stringify(pkg, null, 2) + '\n');
    console.error(`[lane-vitest5] ${file}: ${changes.join(', ')}`);
  }
}
EOF

# The copied lockfile pins Vitest 4; without it npm resolves the Vitest 5 tree afresh (or from the
# lane's own node_modules/.package-lock.json on a rerun) instead of warning about overridden peers.
rm -f package-lock.json

# ---- 3. install with Node 24 ----------------------------------------------------------------
log "npm install with node $(node -v), npm $(npm -v)"
npm install --no-audit --no-fund

# ---- 4. prove Vitest 5 is what runs, and what the test files import --------------------------
CLI_VERSION="$(npx --no-install vitest --version)"
log "npx vitest --version: $CLI_VERSION"
[[ "$CLI_VERSION" == *"$VITEST5"* ]] || die "the vitest CLI is $CLI_VERSION, expected $VITEST5"
node - "$VITEST5" <<'EOF'
// Resolve `vitest` the way a test file does, from every folder that holds tests.
const fs = require('node:fs');
const path = require('node:path');
const want = process.argv[2];
const dirs = ['.'];
for (const top of ['packages', 'examples']) {
  if (!fs.existsSync(top)) continue;
  for (const d of fs.readdirSync(top)) if (fs.existsSync(path.join(top, d, 'package.json'))) dirs.push(path.join(top, d));
}
let bad = 0;
for (const dir of dirs) {
  const from = path.resolve(dir, 'test');
  const pkgJson = require.resolve('vitest/package.json', { paths: [from] });
  const { version } = JSON.parse(fs.readFileSync(pkgJson, 'utf8'));
  if (version !== want) {
    console.error(`[lane-vitest5] ${dir}/test resolves vitest ${version} (${pkgJson}), expected ${want}`);
    bad++;
  }
}
if (bad) process.exit(1);
console.error(`[lane-vitest5] vitest resolves to ${want} from the tests of ${dirs.length} package folders`);
EOF

# ---- 5. the same suites -----------------------------------------------------------------------
log "type checks against Vitest 5's types (the matchers' v5 declarations included)"
npx --no-install tsc -p tsconfig.test.json --noEmit
npx --no-install tsc -p packages/harness/test/msw/tsconfig.msw3.json
npm run typecheck:assertions:v5
log "npm test (vitest $VITEST5, node $(node -v))"
npm test -- "$@"
