#!/usr/bin/env node
// Type-checks every ```ts snippet of README.md, docs/*.md and docs/examples/*.md, the way a user's project would see
// them: @quiesce/* resolved through node_modules to the built packages (run `npm run build`
// first; `npm run typecheck` does), strict mode, the matchers' types through tsconfig's `types`.
//
// - Each snippet is its own module (top-level await allowed), so snippets never see each other.
// - Names a snippet uses without defining them (the `system` of a test, a `startWorker` defined in
//   an earlier paragraph) come from the doc's context: an HTML comment, invisible when rendered,
//       <!-- snippet-context
//       import type { StartFn } from '@quiesce/runtime';
//       declare global { const startWorker: StartFn; }
//       -->
//   which is compiled with every snippet of that doc.
// - A snippet that is deliberately partial is fenced ```ts nocheck. Keep those rare.
//
// Errors are reported at the doc's line: `docs/harness.md:88:5 - error TS2304: ...`.
// Usage: node scripts/check-doc-snippets.mjs [files...]     (default: README.md docs/*.md docs/examples/*.md)
import { spawn } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { basename, dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const out = join(root, '.cache', 'doc-snippets');
const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');

const mdIn = (dir) =>
  readdirSync(join(root, dir))
    .filter((f) => f.endsWith('.md'))
    .sort()
    .map((f) => `${dir}/${f}`);
const allDocs = () => ['README.md', ...mdIn('docs'), ...mdIn('docs/examples')];
const docs = process.argv.length > 2 ? process.argv.slice(2) : allDocs();

/** The ```ts blocks of a markdown file, with the line each starts on, and its context comment. */
function extract(file) {
  const lines = readFileSync(join(root, file), 'utf8').split('\n');
  const snippets = [];
  const context = [];
  let skipped = 0;
  for (let i = 0; i < lines.length; i++) {
    if (/^<!--\s*snippet-context\b/.test(lines[i])) {
      for (i++; i < lines.length && !/^-->/.test(lines[i]); i++) context.push(lines[i]);
      continue;
    }
    const fence = /^(\s*)(`{3,}|~{3,})\s*(ts|typescript)\b(.*)$/.exec(lines[i]);
    if (!fence) {
      // Skip other fenced blocks whole, so a ``` inside them is not read as a fence.
      const other = /^(\s*)(`{3,}|~{3,})/.exec(lines[i]);
      if (other) for (i++; i < lines.length && !lines[i].trimStart().startsWith(other[2]); i++);
      continue;
    }
    const [, indent, marker, , info] = fence;
    const body = [];
    const start = i + 1;
    for (i++; i < lines.length && !lines[i].trimStart().startsWith(marker); i++) body.push(lines[i].slice(indent.length));
    if (/\bnocheck\b/.test(info)) skipped++;
    else snippets.push({ line: start + 1, code: body.join('\n') });
  }
  return { snippets, context: context.join('\n'), skipped };
}

/** Write one doc's snippets as modules with a tsconfig; returns where each file's lines map to. */
function writeProject(file, { snippets, context }) {
  const dir = join(out, file.replace(/[/.]/g, '_'));
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const map = new Map();
  const files = [];
  if (context) {
    writeFileSync(join(dir, 'context.mts'), `${context}\nexport {};\n`);
    files.push('context.mts');
    map.set('context.mts', { file, line: 0, context: true });
  }
  for (const { line, code } of snippets) {
    const name = `line-${line}.mts`;
    // `export {}` keeps a snippet without imports a module: its names stay its own.
    writeFileSync(join(dir, name), `${code}\nexport {};\n`);
    files.push(name);
    map.set(name, { file, line });
  }
  const tsconfig = {
    compilerOptions: {
      target: 'ES2022',
      lib: ['ES2023'],
      module: 'NodeNext',
      moduleResolution: 'NodeNext',
      strict: true,
      noEmit: true,
      skipLibCheck: true,
      verbatimModuleSyntax: false,
      types: ['node', '@quiesce/assertions'],
    },
    files,
  };
  writeFileSync(join(dir, 'tsconfig.json'), `${JSON.stringify(tsconfig, null, 2)}\n`);
  return { dir, map };
}

function run(dir) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [tsc, '-p', join(dir, 'tsconfig.json'), '--pretty', 'false'], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, output }));
  });
}

/** tsc's `path(line,col): error ...` lines, moved to the doc's line numbers. */
function translate(output, dir, map) {
  return output
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      const m = /^(.*?)\((\d+),(\d+)\): (.*)$/.exec(line);
      if (!m) return line;
      const where = map.get(basename(m[1]));
      if (!where || relative(dir, join(root, m[1])).startsWith('..')) return line;
      if (where.context) return `${where.file} (snippet-context line ${m[2]}): ${m[4]}`;
      return `${where.file}:${where.line + Number(m[2]) - 1}:${m[3]} - ${m[4]}`;
    });
}

const projects = [];
let total = 0;
let skipped = 0;
for (const file of docs) {
  const extracted = extract(file);
  total += extracted.snippets.length;
  skipped += extracted.skipped;
  if (extracted.snippets.length > 0) projects.push({ file, count: extracted.snippets.length, ...writeProject(file, extracted) });
}

// Two at a time at most: each tsc is a full program.
const results = [];
const queue = [...projects];
const workers = Array.from({ length: Math.min(2, availableParallelism(), queue.length) }, async () => {
  for (let p = queue.shift(); p; p = queue.shift()) results.push({ ...p, ...(await run(p.dir)) });
});
await Promise.all(workers);

let failed = 0;
for (const r of results.sort((a, b) => docs.indexOf(a.file) - docs.indexOf(b.file))) {
  if (r.code === 0) {
    console.error(`[doc-snippets] ${r.file}: ${r.count} snippet(s) type-check`);
    continue;
  }
  failed++;
  console.error(`[doc-snippets] ${r.file}: errors`);
  for (const line of translate(r.output, r.dir, r.map)) console.error(`  ${line}`);
}
const verdict = failed === 0 ? 'all type-check' : `${failed} file(s) with errors`;
console.error(`[doc-snippets] ${total} snippet(s) in ${docs.length} file(s), ${skipped} marked nocheck; ${verdict}`);
process.exit(failed === 0 ? 0 : 1);
