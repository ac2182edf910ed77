#!/usr/bin/env bash
# A local Docker engine for the container tests (docs/containers.md, "CI without a registry").
#
#   scripts/docker-engine.sh start   use the engine DOCKER_HOST (or /var/run/docker.sock) names if
#                                    it answers; else install Debian's docker.io when dockerd is
#                                    missing and start a private dockerd in the background, with
#                                    no bridge network and no iptables rules (containers use host
#                                    networking, every connection stays on 127.0.0.1), its own data
#                                    root, exec root and socket. Waits for the socket to answer,
#                                    probing with bounded backoff. Prints `DOCKER_HOST=unix://...`
#                                    on stdout (the only stdout line); logs go to stderr.
#   scripts/docker-engine.sh stop    remove the containers Quiesce labelled that are left (there
#                                    should be none: their count is printed), then stop the dockerd
#                                    this script started (SIGTERM, then SIGKILL after a bound).
#   scripts/docker-engine.sh status  say whether the engine answers; exit 0 if it does.
#
# Needs root for apt-get and dockerd. QUIESCE_DOCKER_ROOT moves the engine's files (default: a
# directory under /tmp named after this checkout, short because unix socket paths are limited to
# 107 bytes). QUIESCE_DOCKER_START_TIMEOUT bounds the wait for the socket (seconds, default 60).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
KEY="$(printf '%s' "$ROOT" | cksum | cut -d' ' -f1)"
DIR="${QUIESCE_DOCKER_ROOT:-/tmp/quiesce-docker-$KEY}"
SOCK="$DIR/docker.sock"
PIDFILE="$DIR/dockerd.pid"
LOG="$DIR/dockerd.log"
START_TIMEOUT="${QUIESCE_DOCKER_START_TIMEOUT:-60}"
# The label system.container() puts on every container it starts (packages/harness/src/containers).
OWNER_LABEL=org.quiesce.owner

log() { echo "[docker-engine] $*" >&2; }
die() { log "error: $*"; exit 1; }

as_root() {
  if [[ "$(id -u)" == 0 ]]; then "$@"
  elif command -v sudo >/dev/null 2>&1; then sudo -n "$@"
  else die "need root or passwordless sudo to run: $*"
  fi
}

# True when the engine at $1 (a DOCKER_HOST value) answers its API.
answers() { DOCKER_HOST="$1" timeout 5 docker version --format '{{.Server.Version}}' >/dev/null 2>&1; }

ensure_packages() {
  if command -v dockerd >/dev/null 2>&1 && command -v docker >/dev/null 2>&1; then return 0; fi
  command -v apt-get >/dev/null 2>&1 || die "dockerd is missing and there is no apt-get: install a Docker engine yourself"
  log "dockerd not found: installing Debian's docker.io"
  as_root apt-get update -q >&2
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends docker.io >&2
  command -v dockerd >/dev/null 2>&1 || die "dockerd still missing after installing docker.io"
}

# Why dockerd cannot run here, when the machine says so before we try.
preflight() {
  [[ -d /sys/fs/cgroup ]] || die "no /sys/fs/cgroup: containers need cgroups (mount cgroup v1 controllers or cgroup2 there)"
  if ! grep -qw overlay /proc/filesystems && ! as_root modprobe overlay 2>/dev/null; then
    log "the kernel has no overlay filesystem: using the vfs storage driver (slower, larger, works everywhere)"
    STORAGE_DRIVER=vfs
  fi
}

start_dockerd() {
  mkdir -p "$DIR"
  if [[ -f "$PIDFILE" ]] && kill -0 "$(cat "$PIDFILE")" 2>/dev/null; then
    log "dockerd $(cat "$PIDFILE") from an earlier start is running: waiting for it"
    return 0
  fi
  rm -f "$SOCK" "$PIDFILE"
  local args=(--host "unix://$SOCK" --data-root "$DIR/data" --exec-root "$DIR/exec" --pidfile "$PIDFILE"
    --bridge=none --iptables=false --ip6tables=false --ip-forward=false --ip-masq=false
    --userland-proxy=false --log-level=warn)
  [[ -n "${STORAGE_DRIVER:-}" ]] && args+=(--storage-driver "$STORAGE_DRIVER")
  log "starting dockerd ${args[*]}"
  # Its own session: the lane's process group (and a Ctrl-C) does not reach it; `stop` ends it.
  as_root setsid dockerd "${args[@]}" >"$LOG" 2>&1 </dev/null &
  DOCKERD_LAUNCHER=$!
}

# Probe the socket with bounded backoff (50 ms doubling to 1 s) until it answers, dockerd dies, or
# START_TIMEOUT seconds pass. A socket offers no "ready" event, hence probes (each one logged).
await_socket() {
  local delay=0.05 attempt=0 began=$SECONDS
  while :; do
    attempt=$((attempt + 1))
    if answers "unix://$SOCK"; then log "engine answered on probe $attempt after $((SECONDS - began))s"; return 0; fi
    local running=""
    if [[ -f "$PIDFILE" ]] && kill -0 "$(cat "$PIDFILE")" 2>/dev/null; then running=1; fi
    if [[ -n "${DOCKERD_LAUNCHER:-}" ]] && ! kill -0 "$DOCKERD_LAUNCHER" 2>/dev/null && [[ -z "$running" ]]; then
      log "dockerd exited before its socket answered; the end of $LOG:"
      tail -n 30 "$LOG" >&2 || true
      return 1
    fi
    if ((SECONDS - began >= START_TIMEOUT)); then
      log "no answer on $SOCK after ${START_TIMEOUT}s ($attempt probes); the end of $LOG:"
      tail -n 30 "$LOG" >&2 || true
      return 1
    fi
    sleep "$delay"
    delay="$(awk -v d="$delay" 'BEGIN { d *= 2; if (d > 1) d = 1; print d }')"
  done
}

cmd_start() {
  command -v docker >/dev/null 2>&1 || ensure_packages
  # An engine that already answers wins: the user's (DOCKER_HOST), the system's, or ours from before.
  for host in "${DOCKER_HOST:-}" unix:///var/run/docker.sock "unix://$SOCK"; do
    if [[ -n "$host" ]] && answers "$host"; then
      log "using the engine at $host ($(DOCKER_HOST="$host" docker version --format '{{.Server.Version}}' 2>/dev/null))"
      echo "DOCKER_HOST=$host"
      return 0
    fi
  done
  ensure_packages
  preflight
  start_dockerd
  if ! await_socket && [[ -z "${STORAGE_DRIVER:-}" ]] && grep -qiE 'overlay|graphdriver|storage.driver' "$LOG"; then
    log "dockerd failed with the default storage driver: retrying with --storage-driver=vfs"
    cmd_stop_engine
    STORAGE_DRIVER=vfs
    start_dockerd
    await_socket || die "dockerd did not start (see $LOG)"
  elif ! answers "unix://$SOCK"; then
    die "dockerd did not start (see $LOG)"
  fi
  local info
  info="$(DOCKER_HOST="unix://$SOCK" docker info --format '{{.ServerVersion}}, storage {{.Driver}}, cgroup v{{.CgroupVersion}}' 2>/dev/null || true)"
  log "dockerd $(cat "$PIDFILE" 2>/dev/null || echo '?'): $info"
  echo "DOCKER_HOST=unix://$SOCK"
}

cmd_stop_engine() {
  [[ -f "$PIDFILE" ]] || return 0
  local pid
  pid="$(cat "$PIDFILE")"
  if kill -0 "$pid" 2>/dev/null; then
    as_root kill -TERM "$pid" 2>/dev/null || true
    # `tail --pid` returns when the process exits: a wait on the exit, bounded by `timeout`.
    if ! timeout 20 tail --pid="$pid" -f /dev/null; then
      log "dockerd $pid still running 20s after SIGTERM: SIGKILL"
      as_root kill -KILL "$pid" 2>/dev/null || true
      timeout 5 tail --pid="$pid" -f /dev/null || true
    fi
  fi
  # dockerd leaves the host network namespace bind-mounted under its exec root after it exits.
  if mountpoint -q "$DIR/exec/netns/default" 2>/dev/null; then as_root umount "$DIR/exec/netns/default" || true; fi
  rm -f "$PIDFILE" "$SOCK"
}

cmd_stop() {
  if answers "unix://$SOCK"; then
    local left
    left="$(DOCKER_HOST="unix://$SOCK" docker ps -aq --filter "label=$OWNER_LABEL" 2>/dev/null | wc -l)"
    log "containers labelled $OWNER_LABEL still present at the end: $left"
    if ((left > 0)); then
      DOCKER_HOST="unix://$SOCK" docker ps -a --filter "label=$OWNER_LABEL" >&2 || true
      DOCKER_HOST="unix://$SOCK" docker ps -aq --filter "label=$OWNER_LABEL" | xargs -r env DOCKER_HOST="unix://$SOCK" docker rm -f >/dev/null || true
    fi
  fi
  cmd_stop_engine
  log "stopped"
}

cmd_status() {
  for host in "${DOCKER_HOST:-}" unix:///var/run/docker.sock "unix://$SOCK"; do
    if [[ -n "$host" ]] && command -v docker >/dev/null 2>&1 && answers "$host"; then echo "DOCKER_HOST=$host"; return 0; fi
  done
  log "no engine answers (DOCKER_HOST=${DOCKER_HOST:-unset}, /var/run/docker.sock, unix://$SOCK)"
  return 1
}

case "${1:-}" in
  start) cmd_start ;;
  stop) cmd_stop ;;
  status) cmd_status ;;
  *) die "usage: $0 start|stop|status" ;;
esac
