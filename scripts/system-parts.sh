#!/usr/bin/env bash
# The system parts some tests need, all from Debian: Erlang (`escript`, the OTP oracle of the
# differential tests), redis-server, a Docker engine (docker.io), Chromium (the HTML report
# checks), tmux (the terminal session of `quiesce flaky`) and python3 (the workers of
# examples/pool). Installs whichever are missing when it can (root, or passwordless sudo, with apt-get);
# otherwise it says what is missing and the command that installs it, and the tests that need a
# missing part skip with a message naming it.
#
#   bash scripts/system-parts.sh            install what is missing (when possible)
#   bash scripts/system-parts.sh --check    only report; exit 0 always
#   bash scripts/system-parts.sh --only erlang-base,redis-server
set -uo pipefail

declare -A PROVIDES=([erlang-base]=escript [redis-server]=redis-server [docker.io]=dockerd [chromium]=chromium [tmux]=tmux [python3]=python3)
PARTS=(erlang-base redis-server docker.io chromium tmux python3)
CHECK_ONLY=""
while (($#)); do
  case "$1" in
    --check) CHECK_ONLY=1 ;;
    --only) shift; IFS=',' read -r -a PARTS <<<"${1:-}" ;;
    *) echo "usage: scripts/system-parts.sh [--check] [--only pkg,pkg]" >&2; exit 3 ;;
  esac
  shift
done

has() { command -v "$1" >/dev/null 2>&1 || [[ -x "/usr/bin/$1" || -x "/usr/sbin/$1" ]]; }
as_root() {
  if [[ "$(id -u)" == 0 ]]; then "$@"
  elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then sudo -n "$@"
  else return 1
  fi
}

missing=()
for pkg in "${PARTS[@]}"; do
  bin="${PROVIDES[$pkg]:-}"
  [[ -n "$bin" ]] || { echo "[system-parts] unknown part $pkg (known: ${!PROVIDES[*]})" >&2; exit 3; }
  has "$bin" || missing+=("$pkg")
done
if ((${#missing[@]} == 0)); then
  echo "[system-parts] all present: ${PARTS[*]}"
  exit 0
fi
echo "[system-parts] missing: ${missing[*]}"
if [[ -n "$CHECK_ONLY" ]] || ! command -v apt-get >/dev/null 2>&1 || ! as_root true; then
  echo "[system-parts] not installing; as root: apt-get install -y --no-install-recommends ${missing[*]}"
  echo "[system-parts] the tests that need them skip, naming the part and this command"
  exit 0
fi
export DEBIAN_FRONTEND=noninteractive
as_root apt-get update -q >/dev/null || { echo "[system-parts] apt-get update failed" >&2; exit 1; }
as_root apt-get install -y -q --no-install-recommends "${missing[@]}" || { echo "[system-parts] apt-get install ${missing[*]} failed" >&2; exit 1; }
for pkg in "${missing[@]}"; do
  has "${PROVIDES[$pkg]}" || { echo "[system-parts] $pkg installed but ${PROVIDES[$pkg]} is still missing" >&2; exit 1; }
done
echo "[system-parts] installed: ${missing[*]}"
