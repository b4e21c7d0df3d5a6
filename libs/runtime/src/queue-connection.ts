/** Injection token of a service's QueueConnection: `@Inject(QUEUE_CONNECTION) connection: QueueConnection`. */
export const QUEUE_CONNECTION = Symbol('QUEUE_CONNECTION');

/** Where a service's queues live, and the name its queue connections carry in Redis' CLIENT LIST. */
export interface QueueConnection {
  redisUrl: string;
  /** BullMQ's key prefix, the deployment's `{prefix}` hash tag (RedisNames.bullPrefix). */
  bullPrefix: string;
  /** The service: `promptgate-registry`; each connection is named `<client>:<queue>`. */
  client: string;
}
