import { Writable } from 'node:stream';
import { QuiesceError } from '@quiesce/runtime';
import { runFlaky } from '../flaky/engine.js';
import { mergeReports, readReport } from '../flaky/merge.js';
import { barProgress, lineProgress, silentProgress, type Progress } from '../flaky/progress.js';
import { renderText } from '../flaky/render-text.js';
import type { ExitCode, FlakyReport } from '../flaky/report.js';
import { VitestSession } from '../flaky/vitest-session.js';
import { renderFlakyHtml } from '../flaky/html/flaky-page.js';
import { writeReportFile } from '../report/write-file.js';
import { parseFlakyArgs, parseMergeArgs, type ProgressMode } from './args.js';
import { USAGE } from './usage.js';

export interface Io {
  stdout: Writable;
  stderr: Writable & { isTTY?: boolean };
}

/** The `quiesce` command. Resolves with the exit code; never throws. */
export async function main(argv: readonly string[], io: Io = { stdout: process.stdout, stderr: process.stderr }): Promise<ExitCode> {
  const [command, ...rest] = argv;
  if (command === '--help' || command === '-h' || command === 'help') {
    io.stdout.write(USAGE);
    return 0;
  }
  if (command !== 'flaky') {
    io.stderr.write(`quiesce: ${command === undefined ? 'no command given' : `unknown command '${command}'`} (commands: flaky, flaky merge)\n\n${USAGE}`);
    return 3;
  }
  const log = new LogTail();
  try {
    return rest[0] === 'merge' ? await merge(rest.slice(1), io) : await flaky(rest, io, log);
  } catch (error) {
    if (error instanceof QuiesceError && error.code === 'INVALID_OPTION') {
      io.stderr.write(`quiesce flaky: ${error.message}\n`);
      return 3;
    }
    if (error instanceof QuiesceError && (error.code === 'NO_CONTAINER_ENGINE' || error.code === 'MISSING_PEER')) {
      io.stderr.write(`quiesce flaky: infrastructure error: ${error.message}\n`);
      return 2;
    }
    const tail = log.text();
    io.stderr.write(
      `quiesce flaky: infrastructure error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n` +
        (tail ? `\nVitest said:\n${tail}\n` : ''),
    );
    return 2;
  }
}

async function flaky(argv: readonly string[], io: Io, log: LogTail): Promise<ExitCode> {
  const args = parseFlakyArgs(argv);
  if (args === 'help') {
    io.stdout.write(USAGE);
    return 0;
  }
  const mode: ProgressMode = args.progress ?? (io.stderr.isTTY ? 'bar' : 'lines');
  const progress: Progress = mode === 'bar' ? barProgress(io.stderr) : mode === 'lines' ? lineProgress(io.stderr) : silentProgress();
  const adaptive = args.targetRate === null ? '' : ', stopping each test once it is settled';
  io.stderr.write(
    `[quiesce] flaky: up to ${args.runs} runs of ${args.config}${adaptive}; session seed ${args.seed} (rerun this session with --seed ${args.seed})\n`,
  );
  const session = await VitestSession.open({
    root: args.root,
    config: args.config,
    filters: args.filters,
    testNamePattern: args.testNamePattern,
    shuffle: args.shuffle,
    shard: args.shard,
    isolate: args.isolate,
    require: args.require,
    log,
  });
  let report: FlakyReport;
  try {
    report = await runFlaky(
      session,
      {
        root: args.root,
        filters: args.filters,
        runs: args.runs,
        seed: args.seed,
        shard: args.shard,
        judging: { targetRate: args.targetRate, confidence: args.confidence },
        bisect: args.bisect,
      },
      progress,
    );
  } finally {
    progress.end();
    await session.close();
  }
  return finish(report, args, io);
}

async function merge(argv: readonly string[], io: Io): Promise<ExitCode> {
  const args = parseMergeArgs(argv);
  if (args === 'help') {
    io.stdout.write(USAGE);
    return 0;
  }
  return finish(mergeReports(args.files.map(readReport)), args, io);
}

function finish(report: FlakyReport, out: { json: string | undefined; html: string | undefined }, io: Io): ExitCode {
  if (out.json) writeReportFile(out.json, `${JSON.stringify(report, null, 2)}\n`);
  if (out.html) writeReportFile(out.html, renderFlakyHtml(report));
  io.stdout.write(renderText(report));
  for (const [kind, file] of [
    ['JSON', out.json],
    ['HTML', out.html],
  ] as const)
    if (file) io.stderr.write(`[quiesce] ${kind} report: ${file}\n`);
  return report.summary.exitCode;
}

/** Vitest's own log lines, kept (the last 64 KiB) to show when something breaks. */
class LogTail extends Writable {
  #text = '';
  override _write(chunk: Buffer | string, _encoding: BufferEncoding, done: () => void): void {
    this.#text = (this.#text + chunk.toString()).slice(-65_536);
    done();
  }
  text(): string {
    return this.#text.trim();
  }
}
