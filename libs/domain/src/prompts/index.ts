export * from './prompt-key.js';
