import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { parseLiveMessage } from '#contracts';
import type { AppLogger } from '#runtime';
import type { ApiKeyCache } from './api-key-cache.js';
import type { PromptCache } from './prompt-cache.js';

/**
 * The registry's pushes, on the live channel: a prompt's live version changed (evict it), an API
 * key was revoked (refuse it). While the subscription is down, pushes are lost, so answers from the
 * cache are marked stale; when it (or the main connection) comes back, the caches are dropped.
 */
export class LiveChannel {
  private listening = false;
  private subscribedBefore = false;

  constructor(
    private readonly subscriber: Redis,
    private readonly main: Redis,
    private readonly channel: string,
    private readonly prompts: PromptCache,
    private readonly apiKeys: ApiKeyCache,
    private readonly logger: AppLogger,
  ) {}

  /** True while pushes can arrive: a cached answer is then as fresh as the registry says. */
  get connected(): boolean {
    return this.listening;
  }

  /** Subscribes now if Redis is there, and again each time the subscriber connection comes back. */
  start(): void {
    // A throw inside an ioredis event handler would be an uncaught exception: each handler catches its own.
    this.subscriber.on('message', (channel: string, raw: string) => {
      if (channel === this.channel) this.guard('live message', () => this.apply(raw));
    });
    this.subscriber.on('close', () => (this.listening = false));
    this.subscriber.on('ready', () => this.guard('live channel subscribe', () => this.subscribe()));
    let mainLost = false;
    this.main.on('close', () => (mainLost = true));
    this.main.on('ready', () => this.guard('cache drop', () => {
      if (!mainLost) return;
      mainLost = false;
      this.dropCaches('main connection');
    }));
    if (this.subscriber.status === 'ready') this.subscribe();
  }

  /**
   * Once Redis confirms the subscription no push can be missed any more; what was cached before
   * may have missed some, so it is dropped.
   */
  private subscribe(): void {
    this.subscriber.subscribe(this.channel).then(
      () => this.guard('live channel subscribed', () => {
        if (this.listening) return;
        this.listening = true;
        if (this.subscribedBefore) this.dropCaches('live channel');
        this.subscribedBefore = true;
      }),
      (err: unknown) => this.logger.pino.warn({ err: { message: (err as Error).message } }, 'live channel not subscribed; retrying when Redis is back'),
    );
  }

  private guard(what: string, work: () => void): void {
    try {
      work();
    } catch (err) {
      this.logger.pino.error({ err, error_id: randomUUID(), what }, 'live channel handler failed');
    }
  }

  private dropCaches(what: string): void {
    this.prompts.clear();
    this.apiKeys.clear();
    this.logger.pino.info({ connection: what }, 'redis reconnected; caches dropped');
  }

  private apply(raw: string): void {
    const message = parseLiveMessage(raw);
    if (message === null) {
      this.logger.pino.warn({ channel: this.channel }, 'ignored a malformed live message');
      return;
    }
    if (message.type === 'prompt.live') this.prompts.evictLive(message.environment_id, message.key, message.version_num);
    else this.apiKeys.revoke(message.key_hash);
  }
}
