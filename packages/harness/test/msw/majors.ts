import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { http as Http, HttpResponse as HttpResponseClass } from 'msw';
import type { SetupServerApi } from 'msw/node';

/** One msw major, loaded on demand: msw 2 as `msw`, msw 3 under the npm alias `msw3`. */
export interface MswMajor {
  name: string;
  /** msw 3 needs Node >= 22.12 (it uses Promise.withResolvers); the Node 24 lane runs it. */
  supported: boolean;
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

export const MSW_MAJORS: MswMajor[] = [
  {
    name: 'msw 2',
    supported: true,
    load: async () => ({ ...(await import('msw/node')), ...(await import('msw')), bypass: { onUnhandledRequest: 'bypass' } }) as unknown as MswApi,
  },
  {
    name: 'msw 3',
    supported: major > 22 || (major === 22 && minor >= 12),
    load: async () => ({ ...(await import('msw3/node')), ...(await import('msw3')), bypass: { onUnhandledFrame: 'bypass' } }) as unknown as MswApi,
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
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}
