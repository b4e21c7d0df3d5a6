export * from './errors.js';
export * from './audit/index.js';
export * from './identity/index.js';
export * from './roles.js';
export * from './versions/state-machine.js';
export * from './versions/line-diff.js';
export * from './prompts/index.js';
export * from './review/index.js';
