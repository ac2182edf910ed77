/**
 * Runs scenarios on real Erlang/OTP — supervisor scenarios through supervisor_oracle.escript,
 * process and server scenarios through process_oracle.escript — and returns each scenario's
 * trace. One BEAM start for the whole batch.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { toErlangTerm, type Scenario } from './scenario.js';

export const ORACLE_SCRIPT = fileURLToPath(new URL('./supervisor_oracle.escript', import.meta.url));
export const PROCESS_ORACLE_SCRIPT = fileURLToPath(new URL('./process_oracle.escript', import.meta.url));

export interface OracleOptions {
  /** The escript executable (default: `escript` on PATH). */
  escript?: string;
  /** Kill the oracle after this many ms (default: 120 s plus the scenarios' waits). */
  timeoutMs?: number;
}

export class OracleUnavailableError extends Error {
  constructor(escript: string) {
    super(
      `The OTP oracle needs Erlang's \`${escript}\` on PATH, and it was not found. ` +
        'Install Erlang/OTP (Debian/Ubuntu: `apt-get install erlang-base`), or pass { escript: "/path/to/escript" }.',
    );
    this.name = 'OracleUnavailableError';
  }
}

function run(file: string, args: string[], timeout: number): Promise<{ stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    execFile(file, args, { encoding: 'utf8', maxBuffer: 512 * 1024 * 1024, timeout, killSignal: 'SIGKILL' }, (err, stdout, stderr) => {
      if (err) {
        const e = err as NodeJS.ErrnoException & { killed?: boolean; code?: unknown };
        if (e.code === 'ENOENT') return reject(new OracleUnavailableError(file));
        const why = e.killed ? `timed out after ${timeout} ms` : `failed (${String(e.code ?? e.message)})`;
        return reject(new Error(`OTP oracle ${why}\n${stderr}`.trimEnd()));
      }
      resolve({ stdout, stderr });
    });
  });
}

/** Whether `escript` can be run here (for skipping oracle tests). */
export async function escriptAvailable(escript = 'escript'): Promise<boolean> {
  try {
    await run(escript, [ORACLE_SCRIPT], 30_000); // prints usage and exits 2
    return true;
  } catch (e) {
    return !(e instanceof OracleUnavailableError);
  }
}

/** Splits the escript's output into trace lines per scenario name. */
export function parseOracleOutput(stdout: string): Map<string, string[]> {
  const traces = new Map<string, string[]>();
  let current: { name: string; lines: string[] } | undefined;
  for (const raw of stdout.split('\n')) {
    const line = raw.replace(/\r$/, '');
    if (current === undefined) {
      if (line === '') continue;
      if (!line.startsWith('scenario ')) throw new Error(`OTP oracle: unexpected output line ${JSON.stringify(line)}`);
      current = { name: line.slice('scenario '.length), lines: [] };
    } else if (line === 'end') {
      traces.set(current.name, current.lines);
      current = undefined;
    } else {
      current.lines.push(line);
    }
  }
  if (current !== undefined) throw new Error(`OTP oracle: output ended inside scenario ${current.name}`);
  return traces;
}

/**
 * Runs every scenario on OTP's supervisor, in one escript run, and returns
 * name -> trace lines. Scenario names must be unique (equal scenarios with
 * equal names are run once).
 */
export async function runOracle(scenarios: Scenario[], options: OracleOptions = {}): Promise<Map<string, string[]>> {
  const waits = scenarios.reduce((sum, s) => sum + s.steps.reduce((w, st) => w + ('wait' in st ? st.wait : 0), 0), 0);
  return runOracleScript(
    ORACLE_SCRIPT,
    scenarios.map((s) => ({ name: s.name, term: toErlangTerm(s) })),
    {
      ...options,
      timeoutMs: options.timeoutMs ?? 120_000 + waits * 1000,
    },
  );
}

/**
 * Runs one oracle escript over a batch of scenario terms (one BEAM start) and returns name ->
 * trace lines. Equal names must carry equal terms; a trace with an `error` line fails the run.
 */
export async function runOracleScript(
  script: string,
  scenarios: Array<{ name: string; term: string }>,
  options: OracleOptions = {},
): Promise<Map<string, string[]>> {
  const terms = new Map<string, string>();
  for (const { name, term } of scenarios) {
    const seen = terms.get(name);
    if (seen !== undefined && seen !== term) throw new Error(`OTP oracle: two different scenarios named ${name}`);
    terms.set(name, term);
  }
  if (terms.size === 0) return new Map();
  const timeout = options.timeoutMs ?? 120_000;
  const escript = options.escript ?? 'escript';
  const dir = await mkdtemp(join(tmpdir(), 'quiesce-oracle-'));
  try {
    const input = join(dir, 'scenarios.terms');
    await writeFile(input, `${[...terms.values()].join('\n')}\n`, 'utf8');
    const { stdout } = await run(escript, [script, input], timeout);
    const traces = parseOracleOutput(stdout);
    for (const name of terms.keys()) {
      const trace = traces.get(name);
      if (trace === undefined) throw new Error(`OTP oracle: no trace for scenario ${name}`);
      const failure = trace.find((l) => l.startsWith('error '));
      if (failure !== undefined) throw new Error(`OTP oracle failed on scenario ${name}: ${failure}`);
    }
    return traces;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
