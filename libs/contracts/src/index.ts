export * from './api-keys.js';
export * from './ids.js';
export * from './live.js';
export * from './queues.js';
export * from './evals.js';
export * from './webhooks.js';
export * from './redis-keys.js';
export * from './outbox.js';
