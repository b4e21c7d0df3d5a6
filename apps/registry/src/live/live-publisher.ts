import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { Redis } from 'ioredis';
import { OUTBOX_CONSUMERS, outboxConsumerInputSchemas, type LiveMessage, type LiveSnapshot } from '#contracts';
import { withTimeout } from '#runtime';
import { REDIS_NAMES, type RedisNames } from '../common/redis.module.js';
import type { ConsumedEvent, OutboxConsumer } from '../outbox/outbox-consumer.js';
import { OutboxRelay } from '../outbox/outbox-relay.js';

/** How long one snapshot write may take before the relay counts it failed and retries it later. */
export const REDIS_WRITE_TIMEOUT_MS = 1000;

/**
 * Writes the live snapshot and the version's immutable copy, then publishes the change, in one
 * atomic step like a MULTI. Unlike a MULTI it refuses to put an older version over a newer one of
 * the same prompt: a retried or late write can never undo a later approval, because a prompt's
 * live version number only ever grows.
 */
const WRITE_LIVE_SNAPSHOT = `
local current = redis.call('GET', KEYS[1])
redis.call('SET', KEYS[2], ARGV[1])
if current then
  local ok, stored = pcall(cjson.decode, current)
  if ok and type(stored) == 'table' and stored.prompt_id == ARGV[3]
     and tonumber(stored.version_num) and tonumber(stored.version_num) >= tonumber(ARGV[2]) then
    return 0
  end
end
redis.call('SET', KEYS[1], ARGV[1])
redis.call('PUBLISH', ARGV[4], ARGV[5])
return 1`;

/**
 * Tells the gateways that a prompt's live version changed: the outbox consumer of approvals,
 * quick-approvals and rollbacks, whose event carries the snapshot the transaction made live. A
 * Redis outage leaves the event pending for the relay's next sweep, bounded meanwhile by the
 * gateways' TTL; writing a snapshot again is safe (see WRITE_LIVE_SNAPSHOT).
 */
@Injectable()
export class LivePublisher implements OutboxConsumer, OnModuleInit {
  readonly consumer = OUTBOX_CONSUMERS.liveSnapshot;

  constructor(
    private readonly redis: Redis,
    @Inject(REDIS_NAMES) private readonly names: RedisNames,
    private readonly relay: OutboxRelay,
  ) {}

  onModuleInit(): void {
    this.relay.register(this);
  }

  async consume(event: ConsumedEvent): Promise<void> {
    await this.publishLive(outboxConsumerInputSchemas[this.consumer].parse(event.input));
  }

  /** Writes `snapshot` once its transaction has committed; throws when Redis does not take it in time. */
  async publishLive(snapshot: LiveSnapshot): Promise<void> {
    const message: LiveMessage = {
      v: 1, type: 'prompt.live', environment_id: snapshot.environment_id, key: snapshot.key, version_num: snapshot.version_num,
    };
    await withTimeout(this.redis.eval(
      WRITE_LIVE_SNAPSHOT, 2,
      this.names.liveSnapshot(snapshot.environment_id, snapshot.key),
      this.names.versionSnapshot(snapshot.environment_id, snapshot.key, snapshot.version_num),
      JSON.stringify(snapshot), snapshot.version_num, snapshot.prompt_id, this.names.liveChannel, JSON.stringify(message),
    ), REDIS_WRITE_TIMEOUT_MS);
  }
}
