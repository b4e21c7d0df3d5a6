export * from './prompt-key.js';
export * from './messages.js';
export * from './model-config.js';
export * from '../portable/messages.js';
