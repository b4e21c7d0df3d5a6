export * from './test-case.js';
export * from './run-messages.js';
export * from './assertions.js';
export * from './verdict.js';
export * from './test-gate.js';
