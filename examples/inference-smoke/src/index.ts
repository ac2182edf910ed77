export { createInferenceService, type InferenceService, type InferenceServiceOptions, type Usage } from './service.js';
export { completionTokens, promptTokens } from './completion.js';
export { ApiError, parseCompletionRequest, type CompletionRequest } from './requests.js';
