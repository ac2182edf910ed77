// From plain Node (no Vitest): the main entry says what to import instead, and
// `@quiesce/harness/tools` leases ports — what a chaos script starting `osProcess` workers needs.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);

/** Run an ES module snippet in a plain Node process, with no Vitest in its environment. */
async function plainNode(source: string): Promise<{ code: number; stdout: string }> {
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('VITEST')));
  try {
    const { stdout } = await run(process.execPath, ['--input-type=module', '-e', source], { env, cwd: import.meta.dirname, timeout: 20_000 });
    return { code: 0, stdout };
  } catch (error) {
    const e = error as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof e.code === 'number' ? e.code : -1, stdout: `${e.stdout ?? ''}${e.stderr ?? ''}` };
  }
}

describe('outside Vitest', () => {
  it('importing the main entry throws OUTSIDE_VITEST naming @quiesce/harness/tools', async () => {
    const { code, stdout } = await plainNode(
      "try { await import('@quiesce/harness'); console.log('loaded'); } catch (e) { console.log(e.code + ': ' + e.message); process.exit(3); }",
    );
    expect(code).toBe(3);
    expect(stdout).toMatch(/^OUTSIDE_VITEST: /);
    expect(stdout).toContain('`@quiesce/harness/tools`');
  });

  it('@quiesce/harness/tools leases a port and gives it back', async () => {
    const { code, stdout } = await plainNode(
      "const { createPortAllocator } = await import('@quiesce/harness/tools'); const ports = createPortAllocator(); const lease = await ports.lease(); console.log(Number.isInteger(lease.port) && lease.port > 0, ports.held().includes(lease.port)); await lease.release(); console.log(ports.held().length);",
    );
    expect({ code, stdout }).toEqual({ code: 0, stdout: 'true true\n0\n' });
  });
});
