import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { describe, expect, onTestFinished } from 'vitest';
import { test } from '@quiesce/harness';
import { barProgress, lineProgress } from '../../src/flaky/progress.js';
import { cleanEnv } from '../preset/vitest-subprocess.js';
import { assertFreshBuild, BIN, fixture } from './cli-support.js';

const TMUX_MISSING =
  spawnSync('tmux', ['-V']).status === 0 ? undefined : 'tmux not found: the terminal session check needs it (install it with: apt-get install -y tmux)';

function sink(): { out: Writable & { isTTY: boolean }; text: () => string } {
  let text = '';
  const out = Object.assign(
    new Writable({
      write: (chunk, _e, done) => {
        text += chunk.toString();
        done();
      },
    }),
    { isTTY: true },
  );
  return { out, text: () => text };
}

const step = (done: number, failures: number) => ({ done, total: 4, failures, ran: 3, failed: 1, shuffleSeed: 9, harnessSeed: 8, meanRunMs: 1500 });

describe('progress', () => {
  test('on a terminal: one bar, redrawn in place, with runs, failures so far and the time left', () => {
    const { out, text } = sink();
    const bar = barProgress(out);
    bar.run(step(1, 1));
    bar.run(step(2, 3));
    bar.note('bisecting');
    bar.end();
    expect(text()).toBe(
      '[quiesce] ██████░░░░░░░░░░░░░░░░░░ 1/4 runs · 1 failure so far · ~5s left at most' +
        '\r\x1b[2K[quiesce] ████████████░░░░░░░░░░░░ 2/4 runs · 3 failures so far · ~3s left at most' +
        '\r\x1b[2K[quiesce] bisecting\n',
    );
  });

  test('elsewhere: one plain line per run, with its seeds', () => {
    const { out, text } = sink();
    lineProgress(out).run(step(2, 3));
    expect(text()).toBe('[quiesce] run 2/4: 3 tests, 1 failed (3 failures so far); shuffle seed 9, harness seed 8\n');
  });
});

test('a terminal session under tmux: the bar updates in place, then the table', async ({ skip, signal }) => {
  if (TMUX_MISSING) return skip(TMUX_MISSING);
  assertFreshBuild();
  const dir = mkdtempSync(join(tmpdir(), 'quiesce-tmux-'));
  // A server of our own (-L), so no user's tmux is touched; killed when the test ends.
  const socket = `quiesce-test-${process.pid}-${Date.now()}`;
  const env = cleanEnv({ TERM: 'xterm-256color' });
  const tmux = (...args: string[]) => spawnSync('tmux', ['-L', socket, ...args], { env, encoding: 'utf8' });
  onTestFinished(() => {
    tmux('kill-server');
    rmSync(dir, { recursive: true, force: true });
  });
  expect(tmux('new-session', '-d', '-s', 'flaky', '-x', '150', '-y', '40', 'bash --norc --noprofile').status).toBe(0);
  const raw = join(dir, 'pane.log');
  tmux('pipe-pane', '-t', 'flaky', '-o', `cat >> ${raw}`);
  const command = `cd ${fixture('planted')} && node ${BIN} flaky --runs 5 --seed 7 --no-bisect; tmux -L ${socket} wait-for -S finished`;
  // Resolves on the signal the session sends when the command is done (tmux's wait-for), not by looking.
  const finished = new Promise<number | null>((resolve, reject) => {
    const waiter = spawn('tmux', ['-L', socket, 'wait-for', 'finished'], { env, stdio: 'ignore', signal });
    waiter.on('error', reject);
    waiter.on('exit', resolve);
  });
  tmux('send-keys', '-t', 'flaky', command, 'Enter');
  expect(await finished).toBe(0);

  // What the terminal received: the bar drawn, then cleared and redrawn for each run.
  const stream = readFileSync(raw, 'utf8');
  for (let run = 1; run <= 5; run++) expect(stream).toContain(`${run}/5 runs · `);
  expect(stream.split('\r\x1b[2K[quiesce] ').length - 1).toBeGreaterThanOrEqual(4);
  // What is on the screen at the end: the last bar, then the table and the verdict.
  const screen = tmux('capture-pane', '-p', '-t', 'flaky').stdout;
  expect(screen).toMatch(/\[quiesce\] █{24} 5\/5 runs · \d+ failures so far/);
  expect(screen).toMatch(/verdict +fails\/runs +rate/);
  expect(screen).toContain('exit 1: test failures, or flakes above the target rate');
});
