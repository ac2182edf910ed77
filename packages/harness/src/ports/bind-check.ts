import { createServer } from 'node:net';

/**
 * Bind `host:port` with a throwaway server and close it again: proof that no process on the host
 * (leasing or not) is listening there now. Resolves with undefined when the bind worked, or the
 * error code (EADDRINUSE, EACCES, ...) when it did not.
 */
export function bindCheck(port: number, host: string): Promise<string | undefined> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? 'EUNKNOWN'));
    server.listen({ port, host, exclusive: true }, () => server.close(() => resolve(undefined)));
  });
}
