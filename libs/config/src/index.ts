export * from './env.js';
export * from './redis-keys.js';
