import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { Redis } from 'ioredis';
import { DataSource } from 'typeorm';
import { apiKeyEventSchema, OUTBOX_CONSUMERS, type ApiKeySnapshot, type LiveMessage } from '#contracts';
import { withTimeout } from '#runtime';
import { REDIS_NAMES, type RedisNames } from '../common/redis.module.js';
import type { ConsumedEvent, OutboxConsumer } from '../outbox/outbox-consumer.js';
import { OutboxRelay } from '../outbox/outbox-relay.js';
import { REDIS_WRITE_TIMEOUT_MS } from './live-publisher.js';

/** Gateways fall back to PostgreSQL on a miss, so a snapshot only needs to outlive a busy day. */
export const API_KEY_SNAPSHOT_TTL_SECONDS = 24 * 60 * 60;

/** Marks the snapshot revoked and tells every gateway, in one atomic step. */
const WRITE_REVOCATION = `
redis.call('SET', KEYS[1], ARGV[1], 'EX', ARGV[2])
redis.call('PUBLISH', ARGV[3], ARGV[4])
return 1`;

interface ApiKeyRow {
  id: string;
  workspace_id: string;
  environment_id: string;
  rate_limit_rpm: number;
  revoked_at: Date | null;
  key_hash: string;
}

/**
 * Writes API-key snapshots under the key's hash, where the gateways look keys up, and pushes
 * revocations on the live channel: the outbox consumer of `api_key.created` and `api_key.revoked`.
 * It reads the key as it is now, so the hash is never copied into the outbox, and running it again
 * for an event writes the same thing.
 */
@Injectable()
export class ApiKeyPublisher implements OutboxConsumer, OnModuleInit {
  readonly consumer = OUTBOX_CONSUMERS.apiKeySnapshot;

  constructor(
    private readonly dataSource: DataSource,
    private readonly redis: Redis,
    @Inject(REDIS_NAMES) private readonly names: RedisNames,
    private readonly relay: OutboxRelay,
  ) {}

  onModuleInit(): void {
    this.relay.register(this);
  }

  async consume(event: ConsumedEvent): Promise<void> {
    const { api_key_id: id } = apiKeyEventSchema.parse(event.payload);
    const [key] = (await this.dataSource.query(
      `SELECT id, workspace_id, environment_id, rate_limit_rpm, revoked_at, key_hash FROM api_keys WHERE id = $1`, [id],
    )) as ApiKeyRow[];
    // Gone with its workspace: there is nothing left to serve with it.
    if (!key) return;
    const snapshot: ApiKeySnapshot = {
      v: 1, id: key.id, workspace_id: key.workspace_id, environment_id: key.environment_id,
      rate_limit_rpm: key.rate_limit_rpm, revoked: key.revoked_at !== null,
    };
    if (event.type === 'api_key.revoked') await this.publishRevoked(key.key_hash, { ...snapshot, revoked: true });
    else await this.publishCreated(key.key_hash, snapshot);
  }

  private async publishCreated(keyHash: string, snapshot: ApiKeySnapshot): Promise<void> {
    // NX: a late run of the creation event must never put `revoked: false` over a revocation.
    await withTimeout(
      this.redis.set(this.names.apiKey(keyHash), JSON.stringify(snapshot), 'EX', API_KEY_SNAPSHOT_TTL_SECONDS, 'NX'),
      REDIS_WRITE_TIMEOUT_MS,
    );
  }

  private async publishRevoked(keyHash: string, snapshot: ApiKeySnapshot & { revoked: true }): Promise<void> {
    const message: LiveMessage = { v: 1, type: 'api_key.revoked', api_key_id: snapshot.id, key_hash: keyHash };
    await withTimeout(this.redis.eval(
      WRITE_REVOCATION, 1, this.names.apiKey(keyHash),
      JSON.stringify(snapshot), API_KEY_SNAPSHOT_TTL_SECONDS, this.names.liveChannel, JSON.stringify(message),
    ), REDIS_WRITE_TIMEOUT_MS);
  }
}
