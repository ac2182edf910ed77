import { fileURLToPath } from 'node:url';

/**
 * Path of the faulty-child program shipped with @quiesce/chaos: run it with `process.execPath`
 * and flags `--ignore-sigterm`, `--grandchild`, `--crash-on-start N`; it prints `ready`, then
 * obeys `exit N`, `echo TEXT` and `close-stdout` on stdin (see the file's header).
 */
export const FAULTY_CHILD: string = fileURLToPath(new URL('../../fixtures/faulty-child.mjs', import.meta.url));
