export * from './etag.js';
export * from './serve-request.js';
export * from './prompt-list.js';
