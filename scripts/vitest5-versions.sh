# The versions of the Vitest 5 lane, read by scripts/lane-vitest5.sh and scripts/consumer-smoke.sh --vitest5.
# 5.1.0 is pinned on purpose: vitest 5.1.1 with @vitest/coverage-v8 5.1.0 does not resolve.
VITEST5=5.1.0
TYPES_NODE='^24'
# msw 3 for the msw helpers' tests of both majors (packages/harness/test/msw/majors.ts).
MSW3='npm:msw@^3.0.5'
# testcontainers 12 (Node >= 22.22) where the root install has 11 (Node 20): the container tests of both majors.
TESTCONTAINERS12='^12.2.0'
