#!/usr/bin/env bash
# The realistic pool test (packages/assertions/test/os/pool.test.ts: supervised OS workers on leased
# ports, a job over TCP crashes one, the restart is asserted) run 200 times in a row on the virtual
# clock: 100 plain, then 100 under a bounded CPU-load generator (one busy thread: half of this
# 2-core machine). Any failure fails the lane.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
RUNS_EACH=${POOL_SOAK_RUNS_EACH:-100}
test_file=packages/assertions/test/os/pool.test.ts

echo "[soak] $RUNS_EACH runs without load"
QUIESCE_POOL_REPEATS=$((RUNS_EACH - 1)) npx vitest run "$test_file"

echo "[soak] $RUNS_EACH runs under CPU load"
node scripts/cpu-load.mjs 1 600 &
load=$!
trap 'kill "$load" 2>/dev/null || true' EXIT
QUIESCE_POOL_REPEATS=$((RUNS_EACH - 1)) npx vitest run "$test_file"
echo "[soak] $((RUNS_EACH * 2)) runs green in a row"
