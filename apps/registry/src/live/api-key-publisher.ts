import { Inject, Injectable } from '@nestjs/common';
import { Redis } from 'ioredis';
import type { ApiKeySnapshot, LiveMessage } from '#contracts';
import { REDIS_NAMES, type RedisNames } from '../common/redis.module.js';
import { AfterCommitRedis } from './after-commit-redis.js';

/** Gateways fall back to PostgreSQL on a miss, so a snapshot only needs to outlive a busy day. */
export const API_KEY_SNAPSHOT_TTL_SECONDS = 24 * 60 * 60;

/** Marks the snapshot revoked and tells every gateway, in one atomic step. */
const WRITE_REVOCATION = `
redis.call('SET', KEYS[1], ARGV[1], 'EX', ARGV[2])
redis.call('PUBLISH', ARGV[3], ARGV[4])
return 1`;

/**
 * Writes API-key snapshots under the key's hash, where the gateways look keys up, and pushes
 * revocations on the live channel. Call only after the change has committed.
 */
@Injectable()
export class ApiKeyPublisher {
  constructor(
    private readonly redis: Redis,
    @Inject(REDIS_NAMES) private readonly names: RedisNames,
    private readonly writes: AfterCommitRedis,
  ) {}

  async publishCreated(keyHash: string, snapshot: ApiKeySnapshot): Promise<void> {
    // NX: a late retry of the creation write must never put `revoked: false` over a revocation.
    await this.writes.write('api key snapshot', { api_key_id: snapshot.id }, () =>
      this.redis.set(this.names.apiKey(keyHash), JSON.stringify(snapshot), 'EX', API_KEY_SNAPSHOT_TTL_SECONDS, 'NX'));
  }

  async publishRevoked(keyHash: string, snapshot: ApiKeySnapshot & { revoked: true }): Promise<void> {
    const message: LiveMessage = { v: 1, type: 'api_key.revoked', api_key_id: snapshot.id, key_hash: keyHash };
    await this.writes.write('api key revocation', { api_key_id: snapshot.id }, () =>
      this.redis.eval(
        WRITE_REVOCATION, 1, this.names.apiKey(keyHash),
        JSON.stringify(snapshot), API_KEY_SNAPSHOT_TTL_SECONDS, this.names.liveChannel, JSON.stringify(message),
      ));
  }
}
