/**
 * The reaper's program, run as `node -e REAPER_SCRIPT quiesce-reaper <owner pid>`. It ships as
 * a string inside the package's own code, so it is in the built and published package by
 * construction and runs the same from sources (under Vitest) and from dist.
 *
 * Protocol on its stdin, one line each: `+<pgid>` a group started, `-<pgid>` it ended. When
 * stdin reaches EOF — the owner closed it, exited, or was killed with SIGKILL, the kernel closes
 * the pipe either way — it sends SIGKILL to every group still registered and exits. It never
 * signals groups 0 or 1 (`kill(-1)` would reach every process).
 */
export const REAPER_SCRIPT = String.raw`'use strict';
const groups = new Set();
let pending = '';
let reaped = false;
function reap() {
  if (reaped) return;
  reaped = true;
  for (const pgid of groups) {
    try { process.kill(-pgid, 'SIGKILL'); } catch {}
  }
  process.exit(0);
}
process.stdin.setEncoding('utf8');
process.stdin.on('data', (chunk) => {
  const lines = (pending + chunk).split('\n');
  pending = lines.pop();
  for (const line of lines) {
    const pgid = Number(line.slice(1));
    if (!Number.isInteger(pgid) || pgid <= 1) continue;
    if (line[0] === '+') groups.add(pgid);
    else if (line[0] === '-') groups.delete(pgid);
  }
});
process.stdin.on('end', reap);
process.stdin.on('close', reap);
process.stdin.on('error', reap);
`;
