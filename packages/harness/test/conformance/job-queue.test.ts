import { runConformance } from '@quiesce/harness';
import { jobQueueContract } from './job-queue/contract.js';
import { MemoryJobQueue } from './job-queue/memory-queue.js';
import { ProcessJobQueue } from './job-queue/process-queue.js';

// One contract, two implementations: the in-memory mock (shared by the file, reset before each
// test) and the real one, a worker OS process over stdio (built fresh for every test).
runConformance(jobQueueContract, { name: 'in-memory mock', factory: () => new MemoryJobQueue(), reset: (queue) => queue.reset() });
runConformance(jobQueueContract, { name: 'OS process over stdio', factory: (system) => ProcessJobQueue.start(system) });
