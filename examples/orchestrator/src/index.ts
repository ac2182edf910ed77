export * from './provider.js';
export { MockProvider } from './mock-provider.js';
export { HttpProvider, type HttpProviderOptions } from './http-provider.js';
export { Orchestrator, type ComputeEvent, type ComputeEntry, type OrchestratorOptions } from './orchestrator.js';
