export * from './gcra.js';
