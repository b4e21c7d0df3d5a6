export * from './client-errors.js';
export * from './connections.js';
export * from './logger.js';
export * from './process-guard.js';
export * from './queue-connection.js';
export * from './queue-consumer.js';
export * from './queue-producer.js';
export * from './readiness.js';
