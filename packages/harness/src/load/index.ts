export { load } from './run.js';
export { resolveLoadOptions, DEFAULT_MAX_REQUESTS, DEFAULT_LOAD_TIMEOUT, DURATION_GRACE, MAX_CONCURRENCY, type LoadOptions } from './options.js';
export type { LoadTarget, LoadFunction, LoadRequest } from './target.js';
export { LatencyHistogram, bucketEdge, bucketIndex, bucketPercentile, mergeBuckets, BUCKETS_PER_DOUBLING } from './histogram.js';
export type { LatencyBucket, LatencySummary } from './histogram.js';
