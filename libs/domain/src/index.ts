export * from './errors.js';
export * from './audit/index.js';
