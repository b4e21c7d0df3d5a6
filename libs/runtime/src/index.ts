export * from './connections.js';
export * from './logger.js';
export * from './readiness.js';
