import { Inject, Injectable } from '@nestjs/common';
import { Redis } from 'ioredis';
import type { LiveMessage, LiveSnapshot } from '#contracts';
import { REDIS_NAMES, type RedisNames } from '../common/redis.module.js';
import { AfterCommitRedis } from './after-commit-redis.js';

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
 * Tells the gateways that a prompt's live version changed, after the change committed; a Redis
 * outage is retried in the background (AfterCommitRedis) and bounded by the gateways' TTL.
 */
@Injectable()
export class LivePublisher {
  constructor(
    private readonly redis: Redis,
    @Inject(REDIS_NAMES) private readonly names: RedisNames,
    private readonly writes: AfterCommitRedis,
  ) {}

  /** Call only once the transaction that made `snapshot` live has committed. */
  async publishLive(snapshot: LiveSnapshot): Promise<void> {
    const context = { environment_id: snapshot.environment_id, key: snapshot.key, version_num: snapshot.version_num };
    await this.writes.write('live snapshot', context, () => this.write(snapshot));
  }

  private async write(snapshot: LiveSnapshot): Promise<void> {
    const message: LiveMessage = {
      v: 1, type: 'prompt.live', environment_id: snapshot.environment_id, key: snapshot.key, version_num: snapshot.version_num,
    };
    await this.redis.eval(
      WRITE_LIVE_SNAPSHOT, 2,
      this.names.liveSnapshot(snapshot.environment_id, snapshot.key),
      this.names.versionSnapshot(snapshot.environment_id, snapshot.key, snapshot.version_num),
      JSON.stringify(snapshot), snapshot.version_num, snapshot.prompt_id, this.names.liveChannel, JSON.stringify(message),
    );
  }
}
