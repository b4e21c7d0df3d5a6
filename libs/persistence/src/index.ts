export * from './entities/index.js';
export * from './data-source.js';
export * from './database.js';
export { MIGRATIONS } from './migrations/index.js';
