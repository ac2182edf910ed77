#!/usr/bin/env bash
# Builds the container images the tests use without any registry (docs/containers.md, "CI without
# a registry"): each image is a minimal root filesystem made of binaries already on this machine
# plus the shared libraries `ldd` lists for them, turned into an image with `docker import` and
# tagged locally. Nothing is pulled.
#
#   quiesce/redis:local   redis-server (Debian's redis-server package) on 127.0.0.1, no persistence;
#                         arguments are appended: `docker run --network host quiesce/redis:local --port 7001`.
#   quiesce/shell:local   sh and sleep; CMD sleep infinity. A container that does nothing, cheaply.
#
# An image whose files and settings have not changed is kept (its content hash is a label on the image).
# Installs redis-server with apt-get when it is missing. Needs a Docker engine (DOCKER_HOST or
# /var/run/docker.sock; scripts/docker-engine.sh starts one). Usage: scripts/container-images.sh
set -euo pipefail

log() { echo "[container-images] $*" >&2; }
die() { log "error: $*"; exit 1; }

command -v docker >/dev/null 2>&1 || die "no docker client: run scripts/docker-engine.sh start first"
docker version --format '{{.Server.Version}}' >/dev/null 2>&1 || die "no Docker engine answers at ${DOCKER_HOST:-unix:///var/run/docker.sock}"

if ! command -v redis-server >/dev/null 2>&1; then
  log "redis-server not found: installing Debian's redis-server"
  [[ "$(id -u)" == 0 ]] || die "redis-server is missing: apt-get install redis-server"
  apt-get update -q >&2
  apt-get install -y -q --no-install-recommends redis-server >&2
fi

WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT

# copy_file ROOTFS PATH: PATH's content (symlinks followed) into ROOTFS at the same place. A
# multi-call binary keeps working under its own name (redis-server is a link to redis-check-rdb,
# which reads argv[0]); the loader finds a library by the path ldd printed.
copy_file() {
  local rootfs=$1 path=$2
  [[ -e "$rootfs$path" ]] && return 0
  mkdir -p "$rootfs$(dirname "$path")"
  cp -L "$path" "$rootfs$path"
}

# add_binary ROOTFS PATH: the binary and every library the dynamic loader resolves for it.
add_binary() {
  local rootfs=$1 bin
  bin="$(command -v "$2")" || die "$2 not found"
  copy_file "$rootfs" "$bin"
  local lib
  for lib in $(ldd "$(readlink -f "$bin")" 2>/dev/null | grep -o '/[^ ]*' || true); do
    copy_file "$rootfs" "$lib"
  done
}

# build TAG ROOTFS CHANGE...: import ROOTFS as TAG unless an image with the same content exists.
build() {
  local tag=$1 rootfs=$2
  shift 2
  mkdir -p "$rootfs/tmp" "$rootfs/data"
  chmod 1777 "$rootfs/tmp"
  # Reproducible archive: sorted names, fixed owner and times, so the hash names the content.
  tar --sort=name --owner=0 --group=0 --numeric-owner --mtime=@0 -C "$rootfs" -cf "$WORK/$(basename "$rootfs").tar" .
  local hash
  # The files and the image's settings: a changed ENTRYPOINT is a new image too.
  hash="$({ sha256sum "$WORK/$(basename "$rootfs").tar"; printf '%s\n' "$@"; } | sha256sum | cut -c1-16)"
  if [[ "$(docker image inspect --format '{{index .Config.Labels "org.quiesce.rootfs"}}' "$tag" 2>/dev/null || true)" == "$hash" ]]; then
    log "$tag is up to date (rootfs $hash)"
    return 0
  fi
  local changes=(--change "LABEL org.quiesce.rootfs=$hash")
  local c
  for c in "$@"; do changes+=(--change "$c"); done
  docker import "${changes[@]}" "$WORK/$(basename "$rootfs").tar" "$tag" >/dev/null
  log "$tag built: $(du -sh "$rootfs" | cut -f1) rootfs $hash"
  # The image this one replaced, now untagged.
  docker image prune -f --filter label=org.quiesce.rootfs >/dev/null || true
}

REDIS="$WORK/redis"
add_binary "$REDIS" redis-server
build quiesce/redis:local "$REDIS" 'WORKDIR /data' 'ENTRYPOINT ["redis-server", "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]'

SHELL_FS="$WORK/shell"
add_binary "$SHELL_FS" sh
add_binary "$SHELL_FS" sleep
build quiesce/shell:local "$SHELL_FS" 'CMD ["sleep", "infinity"]'

docker image ls --filter reference='quiesce/*' --format '{{.Repository}}:{{.Tag}} {{.Size}}' >&2
