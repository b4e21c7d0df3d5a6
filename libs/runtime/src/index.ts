export * from './client-errors.js';
export * from './connections.js';
export * from './error-body.js';
export * from './logger.js';
export * from './process-guard.js';
export * from './readiness.js';
