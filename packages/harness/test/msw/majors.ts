import { createServer, type Server } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import type { http as Http, HttpResponse as HttpResponseClass } from 'msw';
import type { SetupServerApi } from 'msw/node';

/**
 * One msw major, loaded on demand: msw 2 as `msw`, msw 3 under the npm alias `msw3`. msw 3 needs
 * Node >= 22.12, so only the Node 24 lane (scripts/lane-vitest5.sh) installs and runs it; a plain
 * `npm install` on Node 20 stays free of its engine warnings.
 */
export interface MswMajor {
  name: string;
  supported: boolean;
  /** Why it cannot run here and how to get it, when it cannot: the skipped tests say so. */
  missing: string | undefined;
  load(): Promise<MswApi>;
}

/** The API both majors share; typed with msw 2's declarations. */
export interface MswApi {
  setupServer: (...handlers: Parameters<SetupServerApi['use']>) => SetupServerApi;
  http: typeof Http;
  HttpResponse: typeof HttpResponseClass;
  /** Listen options that let unhandled requests through to the network (named differently per major). */
  bypass: Record<string, string>;
}

const [major = 0, minor = 0] = process.versions.node.split('.').map(Number);

function installed(name: string): boolean {
  try {
    createRequire(import.meta.url).resolve(`${name}/package.json`);
    return true;
  } catch {
    return false;
  }
}

/** Not a literal: msw 3 is absent outside the Node 24 lane, and neither tsc nor Vite must look for it. */
const MSW3 = ['msw3'][0]!;

function msw3Missing(): string | undefined {
  const lane = 'run them with `npm run lane:vitest5` (Node 24, msw 3 installed there)';
  if (!(major > 22 || (major === 22 && minor >= 12))) return `needs Node >= 22.12 for msw 3 (this is ${process.version}): ${lane}`;
  if (!installed(MSW3)) return `needs msw 3 installed as "msw3" (npm install --no-save msw3@npm:msw@^3): or ${lane}`;
  return undefined;
}

export const MSW_MAJORS: MswMajor[] = [
  {
    name: 'msw 2',
    supported: true,
    missing: undefined,
    load: async () => ({ ...(await import('msw/node')), ...(await import('msw')), bypass: { onUnhandledRequest: 'bypass' } }) as unknown as MswApi,
  },
  {
    name: 'msw 3',
    supported: msw3Missing() === undefined,
    missing: msw3Missing(),
    load: async () => {
      const node = (await import(/* @vite-ignore */ `${MSW3}/node`)) as object;
      const core = (await import(/* @vite-ignore */ MSW3)) as object;
      return { ...node, ...core, bypass: { onUnhandledFrame: 'bypass' } } as unknown as MswApi;
    },
  },
];

/** A real HTTP server on 127.0.0.1:0 that answers every request with `real <method> <path>`; resolves once listening. */
export async function realServer(): Promise<{ server: Server; origin: string; close(): Promise<void> }> {
  const server = createServer((req, res) => res.end(`real ${req.method} ${req.url}`));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    server,
    origin: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
