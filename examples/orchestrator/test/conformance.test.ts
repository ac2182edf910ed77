import { runConformance } from '@quiesce/harness';
import { MockProvider } from '../src/index.js';
import { httpProviderFor, mswServer } from './support/msw.js';
import { providerContract } from './support/provider-contract.js';

// One contract, two implementations: if the mock drifts from the real API's behaviour, this fails.
const server = mswServer();

runConformance(providerContract, { name: 'mock', factory: () => new MockProvider() });
runConformance(providerContract, { name: 'HTTP, served by msw', factory: (system) => httpProviderFor(server, system).provider });
