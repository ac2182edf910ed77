// Type checks for msw 3, which only the Node 24 lane installs (as the alias `msw3`): there,
// scripts/lane-vitest5.sh runs `tsc -p packages/harness/test/msw/tsconfig.msw3.json`.
import type { HttpHandler as HttpHandler3 } from 'msw3';
import type { SetupServer as SetupServer3 } from 'msw3/node';
import { expectTypeOf } from 'vitest';
import type { MswHandlerLike, MswServerLike } from '@quiesce/harness';

expectTypeOf<SetupServer3>().toExtend<MswServerLike>();
expectTypeOf<HttpHandler3>().toExtend<MswHandlerLike>();
expectTypeOf<SetupServer3>().not.toExtend<MswHandlerLike>();
