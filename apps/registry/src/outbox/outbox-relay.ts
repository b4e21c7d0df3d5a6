import { Injectable, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { randomUUID } from 'node:crypto';
import { AppLogger } from '#runtime';
import { WebhookDeliveryQueue } from './webhook-delivery-queue.js';

/** How often unrelayed events are looked for, besides the poke after each commit. */
const SWEEP_INTERVAL_MS = 1000;
const BATCH_SIZE = 100;
/** Sweeps between looks for pending deliveries that lost their job. */
const STALLED_CHECK_EVERY = 30;
/** Past its due time by this much, a pending delivery is taken to have lost its job. */
const STALLED_AFTER = '5 minutes';

/**
 * Turns committed outbox events into webhook deliveries: one delivery row per enabled
 * subscription of the event's workspace that asked for its type, a job per delivery, and the
 * event marked relayed, all in one transaction. Rows are claimed with FOR UPDATE SKIP LOCKED, so
 * several registry replicas relay side by side and an event is relayed once; an event whose relay
 * failed (Redis away, a crash) stays unrelayed and the next sweep takes it.
 */
@Injectable()
export class OutboxRelay implements OnApplicationBootstrap, OnModuleDestroy {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private pokedWhileRunning = false;
  private stopped = false;
  private failing = false;
  private sweeps = 0;

  constructor(
    private readonly dataSource: DataSource,
    private readonly queue: WebhookDeliveryQueue,
    private readonly logger: AppLogger,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => this.sweep(), SWEEP_INTERVAL_MS);
    this.timer.unref();
    this.poke();
  }

  async onModuleDestroy(): Promise<void> {
    await this.stop();
  }

  private sweep(): void {
    this.poke();
    this.sweeps += 1;
    if (this.sweeps % STALLED_CHECK_EVERY === 0) {
      this.requeueStalled().catch((err: unknown) => {
        this.logger.pino.warn({ err: { message: err instanceof Error ? err.message : String(err) } }, 'stalled webhook deliveries not requeued');
      });
    }
  }

  /** Requeues pending deliveries long past due whose job is gone or failed; returns how many. */
  async requeueStalled(): Promise<number> {
    const rows = (await this.dataSource.query(
      `SELECT id FROM webhook_deliveries
        WHERE status = 'pending' AND next_attempt_at < now() - $1::interval
        ORDER BY next_attempt_at LIMIT $2`,
      [STALLED_AFTER, BATCH_SIZE],
    )) as Array<{ id: string }>;
    const requeued = await this.queue.requeue(rows.map((r) => r.id));
    if (requeued > 0) this.logger.pino.warn({ requeued }, 'requeued webhook deliveries that had lost their job');
    return requeued;
  }

  /** Relays soon; pokes while a relay runs make it go round once more. */
  poke(): void {
    if (this.stopped) return;
    if (this.running) {
      this.pokedWhileRunning = true;
      return;
    }
    // Nobody awaits a poke: the relay's own errors are caught inside, and anything else is logged here.
    this.running = this.relayUntilDone()
      .catch((err: unknown) => this.logger.pino.error({ err, error_id: randomUUID() }, 'outbox relay stopped on an unexpected error'))
      .finally(() => {
        this.running = null;
      });
  }

  /** Stops relaying and waits for the batch in hand (shutdown, and tests that play a crash). */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.running;
  }

  private async relayUntilDone(): Promise<void> {
    do {
      this.pokedWhileRunning = false;
      try {
        while (!this.stopped && (await this.relayBatch()) === BATCH_SIZE);
        if (this.failing) this.logger.pino.info('outbox relay recovered');
        this.failing = false;
      } catch (err) {
        if (!this.failing) {
          this.logger.pino.warn({ err: { message: err instanceof Error ? err.message : String(err) } }, 'outbox relay failed; retrying');
        }
        this.failing = true;
        return;
      }
    } while (this.pokedWhileRunning && !this.stopped);
  }

  /** Relays up to BATCH_SIZE events; returns how many it claimed. */
  async relayBatch(): Promise<number> {
    return this.dataSource.transaction(async (manager) => {
      const events = (await manager.query(
        `SELECT id FROM outbox_events WHERE relayed_at IS NULL ORDER BY created_at, id LIMIT $1 FOR UPDATE SKIP LOCKED`,
        [BATCH_SIZE],
      )) as Array<{ id: string }>;
      if (events.length === 0) return 0;
      const ids = events.map((e) => e.id);
      const deliveries = (await manager.query(
        `INSERT INTO webhook_deliveries (webhook_id, event, message_id, payload, next_attempt_at)
         SELECT w.id, e.event_type, 'msg_' || e.id,
                jsonb_build_object(
                  'type', e.event_type,
                  'timestamp', to_char(e.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
                  'data', e.payload),
                now()
           FROM outbox_events e
           JOIN webhooks w ON w.workspace_id = e.workspace_id AND w.disabled_at IS NULL AND e.event_type = ANY(w.events)
          WHERE e.id = ANY($1::uuid[])
          ORDER BY e.created_at, e.id, w.id
         ON CONFLICT (webhook_id, message_id) DO NOTHING
         RETURNING id`,
        [ids],
      )) as Array<{ id: string }>;
      await manager.query(`UPDATE outbox_events SET relayed_at = now() WHERE id = ANY($1::uuid[])`, [ids]);
      // Last, so a Redis that refuses the jobs rolls the whole relay back.
      await this.queue.add(deliveries.map((d) => d.id));
      return events.length;
    });
  }
}
