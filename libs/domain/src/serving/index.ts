export * from './etag.js';
export * from './serve-request.js';
