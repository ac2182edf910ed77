/**
 * The reaper's program, run as `node -e REAPER_SCRIPT quiesce-reaper <owner pid>`. It ships as
 * a string inside the package's own code, so it is in the built and published package by
 * construction and runs the same from sources (under Vitest) and from dist.
 *
 * Protocol on its stdin, one line each: `+<pgid>` a group started, `-<pgid>` it ended, and
 * `C{"endpoint":..,"label":..}` containers carrying that label on that container engine
 * (`unix:///path/docker.sock` or `http://host:port`, the Docker Engine API) belong to the owner.
 * When stdin reaches EOF — the owner closed it, exited, or was killed with SIGKILL, the kernel
 * closes the pipe either way — it sends SIGKILL to every group still registered, force-removes
 * every container carrying a registered label (bounded by CONTAINER_BOUND ms), and exits. It never
 * signals groups 0 or 1 (`kill(-1)` would reach every process).
 */
export const REAPER_SCRIPT = String.raw`'use strict';
const groups = new Set();
const containers = new Map();
const CONTAINER_BOUND = 20000;
let pending = '';
let reaped = false;
function engine(endpoint, method, path) {
  return new Promise((resolve) => {
    let target;
    try {
      const url = new URL(endpoint);
      target = url.protocol === 'unix:' ? { socketPath: url.pathname } : { host: url.hostname, port: Number(url.port) || 2375 };
    } catch { return resolve(undefined); }
    const req = require('node:http').request({ ...target, method, path, headers: { host: 'docker' } }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk) => { body += chunk; });
      res.on('end', () => resolve({ status: res.statusCode, body }));
      res.on('error', () => resolve(undefined));
    });
    req.on('error', () => resolve(undefined));
    req.end();
  });
}
async function removeLabelled({ endpoint, label }) {
  const filters = encodeURIComponent(JSON.stringify({ label: [label] }));
  const listed = await engine(endpoint, 'GET', '/containers/json?all=1&filters=' + filters);
  let ids = [];
  try { ids = JSON.parse(listed.body).map((c) => c.Id).filter((id) => /^[0-9a-f]{12,64}$/.test(id)); } catch {}
  await Promise.all(ids.map((id) => engine(endpoint, 'DELETE', '/containers/' + id + '?force=1&v=1')));
}
function reap() {
  if (reaped) return;
  reaped = true;
  for (const pgid of groups) {
    try { process.kill(-pgid, 'SIGKILL'); } catch {}
  }
  if (containers.size === 0) process.exit(0);
  setTimeout(() => process.exit(0), CONTAINER_BOUND);
  Promise.all([...containers.values()].map(removeLabelled)).then(() => process.exit(0), () => process.exit(0));
}
process.stdin.setEncoding('utf8');
process.stdin.on('data', (chunk) => {
  const lines = (pending + chunk).split('\n');
  pending = lines.pop();
  for (const line of lines) {
    if (line[0] === 'C') {
      try {
        const watch = JSON.parse(line.slice(1));
        // Only key=value with a value: a bare key would match every container that has it.
        if (typeof watch.endpoint === 'string' && typeof watch.label === 'string' && /^[^=]+=.+$/.test(watch.label)) containers.set(line, watch);
      } catch {}
      continue;
    }
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
