export * from './etag.js';
export * from './lru.js';
export * from './serve-request.js';
