import { guide } from '../core/docs.js';
import { DEFAULT_RUNS } from './args.js';

export const USAGE = `Usage:
  quiesce flaky [file filters...] [options]     rerun the tests, classify each one, report
  quiesce flaky merge REPORT.json... [options]  combine the JSON reports of --shard runs

quiesce flaky options:
  --runs N            runs at most (default ${DEFAULT_RUNS}; with --target-rate: the runs that bound a stable test's rate)
  --shuffle           shuffle files and tests in every run (else the config's own sequence.shuffle)
  --seed S            the session seed (default: random, printed); each run's seeds derive from it
  --target-rate P     stop rerunning a test once its classification is settled: flaky once it
                      passed and failed, stable once no failure in enough runs bounds its rate under P
  --confidence C      confidence of that bound and of the intervals (default 0.95; with --target-rate)
  --shard i/n         run only this machine's share of the files (Vitest's sharding); merge after
  --json FILE         write the JSON report (schemas/flaky.schema.json of @quiesce/harness)
  --html FILE         write the self-contained HTML report
  -t, --testNamePattern PATTERN   only tests whose name matches
  --config FILE       the Vitest config (default: vitest.config.* or vite.config.* in the root)
  --root DIR          the project root (default: the current directory)
  --no-bisect         do not bisect order-dependent failures for their polluter
  --no-isolate        the files of a run share workers (Vitest's isolate: false): much faster
                      reruns of fast tests; cross-file state then leaks between files
  --require PARTS     parts the run requires (QUIESCE_REQUIRE): docker; a selected docker-tagged
                      test without an engine is then exit 2, not a skip
  --progress MODE     bar, lines or none (default: bar on a terminal, lines otherwise)

quiesce flaky merge options:
  --json FILE, --html FILE   where to write the merged report

Exit codes: 0 every test stable; 1 test failures or flakes above the target rate;
2 infrastructure error; 3 configuration error (bad flags, no config, no tests matched).
Docs: ${guide('flaky.md')}
`;
