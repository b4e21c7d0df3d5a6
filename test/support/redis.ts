import { randomBytes } from 'node:crypto';
import { dropRedisNamespace } from '#runtime';

export const TEST_REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

/** A Redis namespace of one test file: every key, channel and queue lives under this prefix. */
export function testRedisPrefix(): string {
  return `pgtest_${randomBytes(6).toString('hex')}`;
}

/** Deletes every key of a test file's namespace (BullMQ's `{prefix}` keys included). */
export function dropRedisPrefix(prefix: string, url = TEST_REDIS_URL): Promise<void> {
  return dropRedisNamespace(url, prefix);
}
