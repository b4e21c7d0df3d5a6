export * from './entities/index.js';
export * from './data-source.js';
export * from './database.js';
export * from './app-role.js';
export { MIGRATIONS } from './migrations/index.js';
export * from './prepared.js';
export * from './commit-tail.js';
