export * from './errors.js';
export * from './eval-gate.js';
export * from './approval.js';
export * from './rollback.js';
