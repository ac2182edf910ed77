import { resolve } from 'node:path';
import { InvalidOptionError } from '@quiesce/runtime';
import { checkOptions, realNow } from '@quiesce/runtime/internal';
import { runSeed, SEED_ENV } from '../system/seed.js';
import { buildReport, type ReportDocument } from './json-report.js';
import { recordOf, type TestCaseLike } from './test-record.js';
import { renderReportHtml } from './html/report-page.js';
import { writeReportFile } from './write-file.js';

export interface QuiesceReporterOptions {
  /** Where to write the JSON report (schemas/report.schema.json), relative to the project root. Default 'quiesce-report.json'. */
  json?: string | false;
  /** Where to write the self-contained HTML report (charts as inline SVG), relative to the project root. Default: none. */
  html?: string;
}

interface VitestLike {
  config: { root: string; env?: Record<string, string | undefined> };
}

interface TestModuleLike {
  children: { allTests(): Iterable<TestCaseLike> };
}

/**
 * A Vitest reporter that writes Quiesce's JSON report (and, with `html`, the HTML report): every
 * test with its status, seed, replay command, metrics (load results) and, for a failed test that
 * used the `system` fixture, its timeline. Add it beside Vitest's own reporters:
 *
 * ```ts
 * reporters: ['default', new QuiesceReporter({ json: 'reports/quiesce.json' })]
 * ```
 */
export class QuiesceReporter {
  readonly #json: string | undefined;
  readonly #html: string | undefined;
  #vitest: VitestLike | undefined;
  #started = realNow();
  /** The last report written (for programmatic use). */
  lastReport: ReportDocument | undefined;

  constructor(options: QuiesceReporterOptions = {}) {
    checkOptions('QuiesceReporter options', options, ['json', 'html']);
    const { json = 'quiesce-report.json', html } = options;
    if (json !== false && (typeof json !== 'string' || json === ''))
      throw new InvalidOptionError('QuiesceReporter options.json', json, 'a file path, or false for no JSON report');
    if (html !== undefined && (typeof html !== 'string' || html === '')) throw new InvalidOptionError('QuiesceReporter options.html', html, 'a file path');
    this.#json = json === false ? undefined : json;
    this.#html = html;
  }

  onInit(vitest: VitestLike): void {
    this.#vitest = vitest;
  }

  onTestRunStart(): void {
    this.#started = realNow();
  }

  onTestRunEnd(modules: readonly TestModuleLike[]): void {
    const records = modules.flatMap((m) => [...m.children.allTests()].map(recordOf));
    const report = buildReport(records, { seed: this.#seed(), durationMs: realNow() - this.#started });
    this.lastReport = report;
    const root = this.#vitest?.config.root ?? process.cwd();
    if (this.#json) writeReportFile(resolve(root, this.#json), `${JSON.stringify(report, null, 2)}\n`);
    if (this.#html) writeReportFile(resolve(root, this.#html), renderReportHtml(report));
  }

  /** The run seed: what the quiesce() plugin handed the workers, else QUIESCE_SEED, else 0. */
  #seed(): number {
    const fromConfig = this.#vitest?.config.env?.[SEED_ENV];
    return runSeed({ [SEED_ENV]: fromConfig ?? process.env[SEED_ENV] });
  }
}

export default QuiesceReporter;
