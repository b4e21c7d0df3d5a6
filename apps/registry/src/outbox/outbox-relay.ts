import { Injectable, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { preparedStatement } from '#persistence';
import { DataSource } from 'typeorm';
import { randomUUID } from 'node:crypto';
import { OUTBOX_CONSUMERS, WEBHOOK_EVENTS, type OutboxConsumerName } from '#contracts';
import { BatchedCalls } from '#domain';
import { AppLogger } from '#runtime';
import type { OutboxConsumer } from './outbox-consumer.js';
import { WebhookDeliveryQueue } from './webhook-delivery-queue.js';

/** How often unrelayed events are looked for, besides the poke after each commit. */
const SWEEP_INTERVAL_MS = 1000;
const BATCH_SIZE = 100;
/** Sweeps between looks for pending deliveries that lost their job. */
const STALLED_CHECK_EVERY = 30;
/** Past its due time by this much, a pending delivery is taken to have lost its job. */
const STALLED_AFTER = '5 minutes';
/** A failed consumption waits a second per attempt before its next, up to this: a bad row never holds the head. */
const MAX_RETRY_DELAY_SECONDS = 10;
const MAX_ERROR_LENGTH = 500;

const errorMessage = (err: unknown) => (err instanceof Error ? err.message : String(err));

/** An event just committed by this process, with the consumptions it runs itself (consumeOwn). */
export interface OwnEvent {
  id: string;
  type: string;
  payload: unknown;
  consumptions: Array<{ consumer: OutboxConsumerName; input: unknown }>;
}

/**
 * Takes committed outbox events out of the registry. Each consumer (the live snapshot, the API-key
 * snapshot, the evals on submit) claims its own pending `outbox_consumptions` rows and marks each
 * done in the claiming transaction; the webhook relay turns events into webhook deliveries, a job
 * per delivery, and marks the event relayed. Rows are claimed with FOR UPDATE SKIP LOCKED, so
 * several registry replicas relay side by side; a claim whose work failed (Redis away, a crash)
 * stays pending and a later sweep takes it, and one consumer failing holds up no other.
 */

const MARK_OWN_DONE = preparedStatement(
  `UPDATE outbox_consumptions c SET attempts = c.attempts + 1, last_error = NULL, done_at = now()
     FROM unnest($1::uuid[], $2::text[]) AS d(event_id, consumer)
    WHERE c.event_id = d.event_id AND c.consumer = d.consumer AND c.done_at IS NULL`,
);
@Injectable()
export class OutboxRelay implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly consumers = new Map<OutboxConsumerName, OutboxConsumer>();
  private readonly failing = new Set<string>();
  /** The done marks of requests that finish together, in one statement (each still sent after its consumption ran). */
  private readonly marks = new BatchedCalls<{ eventId: string; consumer: OutboxConsumerName }, undefined>(async (done) => {
    await MARK_OWN_DONE.run(this.dataSource.manager, [done.map((d) => d.eventId), done.map((d) => d.consumer)]);
    return done.map(() => undefined);
  });
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private pokedWhileRunning = false;
  /** Whether a poke since the last round start asked for the consumers, not only for the webhooks. */
  private consumersPoked = true;
  /** Pokes not yet covered by a round: each resolves when the next round ends. */
  private waiting: Array<() => void> = [];
  private stopped = false;
  private sweeps = 0;

  constructor(
    private readonly dataSource: DataSource,
    private readonly queue: WebhookDeliveryQueue,
    private readonly logger: AppLogger,
  ) {}

  /** Called by each consumer's module at start-up. */
  register(consumer: OutboxConsumer): void {
    if (this.consumers.has(consumer.consumer)) throw new Error(`outbox consumer ${consumer.consumer} is registered twice`);
    this.consumers.set(consumer.consumer, consumer);
  }

  onApplicationBootstrap(): void {
    // A consumer without a handler would leave its rows pending for ever: refuse to start instead.
    const missing = Object.values(OUTBOX_CONSUMERS).filter((name) => !this.consumers.has(name));
    if (missing.length > 0) throw new Error(`outbox consumers without a handler: ${missing.join(', ')}`);
    this.timer = setInterval(() => this.sweep(), SWEEP_INTERVAL_MS);
    this.timer.unref();
    void this.poke();
  }

  async onModuleDestroy(): Promise<void> {
    await this.stop();
  }

  private sweep(): void {
    void this.poke();
    this.sweeps += 1;
    if (this.sweeps % STALLED_CHECK_EVERY === 0) {
      this.requeueStalled().catch((err: unknown) => {
        this.logger.pino.warn({ err: { message: errorMessage(err) } }, 'stalled webhook deliveries not requeued');
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

  /**
   * Runs the consumptions of events this process just committed, side by side with other
   * requests' (the relay runs its rows one at a time), and marks the ones that succeeded done in
   * one statement with those of the requests finishing together (BatchedCalls). A failure is
   * recorded on its row as the relay records one, which makes the row due for the relay; a mark
   * that does not commit leaves the row to the relay once its lease is over (a consumer may run
   * twice, see OutboxConsumer). Never rejects.
   */
  async consumeOwn(events: readonly OwnEvent[]): Promise<void> {
    const done: Array<{ eventId: string; consumer: OutboxConsumerName }> = [];
    for (const event of events) {
      for (const { consumer: name, input } of event.consumptions) {
        const consumer = this.consumers.get(name);
        if (!consumer || this.stopped) continue;
        try {
          await consumer.consume({ id: event.id, type: event.type, payload: event.payload, input });
          done.push({ eventId: event.id, consumer: name });
        } catch (err) {
          await this.recordFailure(event.id, name, err).catch((failed: unknown) => {
            this.logger.pino.warn({ consumer: name, err: { message: errorMessage(failed) } }, 'outbox consumption failure not recorded');
          });
          if (!this.failing.has(name)) this.logger.pino.warn({ consumer: name, err: { message: errorMessage(err) } }, 'outbox relay failed; retrying');
          this.failing.add(name);
        }
      }
    }
    if (done.length === 0) return;
    await Promise.all(done.map((d) => this.marks.call(d))).catch((err: unknown) => {
      this.logger.pino.warn({ err: { message: errorMessage(err) } }, 'outbox consumptions not marked done; the relay takes them again');
    });
  }

  /**
   * Relays soon; pokes while a relay runs make it go round once more. Resolves when the consumers
   * of a round that started after this poke have run (at once when stopped); never rejects.
   * `webhooks`: only the webhook relay is needed (the consumptions are their process's own), so
   * the round skips the consumers unless another poke asked for them.
   */
  poke(part: 'all' | 'webhooks' = 'all'): Promise<void> {
    if (this.stopped) return Promise.resolve();
    if (part === 'all') this.consumersPoked = true;
    const covered = new Promise<void>((resolve) => this.waiting.push(resolve));
    if (this.running) {
      this.pokedWhileRunning = true;
      return covered;
    }
    // Nobody awaits a poke's errors: each part of a round catches its own, and anything else is logged here.
    this.running = this.relayUntilDone()
      .catch((err: unknown) => this.logger.pino.error({ err, error_id: randomUUID() }, 'outbox relay stopped on an unexpected error'))
      .finally(() => {
        this.running = null;
        for (const resolve of this.waiting.splice(0)) resolve();
      });
    return covered;
  }

  /** Stops relaying and waits for the round in hand (shutdown, and tests that play a crash). */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.running;
  }

  private async relayUntilDone(): Promise<void> {
    do {
      this.pokedWhileRunning = false;
      const covered = this.waiting.splice(0);
      const consumers = this.consumersPoked;
      this.consumersPoked = false;
      // The gateways' consumers first: approval-to-served is the latency that matters.
      for (const consumer of consumers ? this.consumers.values() : []) {
        await this.untilDone(consumer.consumer, () => this.consumeBatch(consumer));
      }
      // Answers wait for the consumers above, not for webhooks, which were never part of one.
      for (const resolve of covered) resolve();
      await this.untilDone('webhooks', () => this.relayBatch());
    } while (this.pokedWhileRunning && !this.stopped);
  }

  /** Runs one part of a round batch after batch; a failure ends that part until the next round, and is logged once. */
  private async untilDone(part: string, batch: () => Promise<number>): Promise<void> {
    try {
      while (!this.stopped && (await batch()) === BATCH_SIZE);
      if (this.failing.delete(part)) this.logger.pino.info({ consumer: part }, 'outbox relay recovered');
    } catch (err) {
      if (!this.failing.has(part)) this.logger.pino.warn({ consumer: part, err: { message: errorMessage(err) } }, 'outbox relay failed; retrying');
      this.failing.add(part);
    }
  }

  /**
   * Runs `consumer` on up to BATCH_SIZE of its due rows, marking each done as it goes; returns how
   * many it claimed. The first failure is recorded on its row (retried after a delay) and ends the
   * batch, the rows done before it committing with their marks.
   */
  async consumeBatch(consumer: OutboxConsumer): Promise<number> {
    const failures: Error[] = [];
    const claimed = await this.dataSource.transaction(async (manager) => {
      const rows = (await manager.query(
        `SELECT c.event_id, e.event_type, e.payload, c.input
           FROM outbox_consumptions c JOIN outbox_events e ON e.id = c.event_id
          WHERE c.consumer = $1 AND c.done_at IS NULL AND c.next_attempt_at <= now()
          ORDER BY c.next_attempt_at, c.created_at, c.event_id
          LIMIT $2
            FOR UPDATE OF c SKIP LOCKED`,
        [consumer.consumer, BATCH_SIZE],
      )) as Array<{ event_id: string; event_type: string; payload: unknown; input: unknown }>;
      for (const row of rows) {
        try {
          await consumer.consume({ id: row.event_id, type: row.event_type, payload: row.payload, input: row.input });
        } catch (err) {
          failures.push(err instanceof Error ? err : new Error(String(err)));
          await this.recordFailure(row.event_id, consumer.consumer, err, manager);
          break;
        }
        await manager.query(
          `UPDATE outbox_consumptions SET attempts = attempts + 1, last_error = NULL, done_at = now() WHERE event_id = $1 AND consumer = $2`,
          [row.event_id, consumer.consumer],
        );
      }
      return rows.length;
    });
    if (failures.length > 0) throw failures[0];
    return claimed;
  }

  /** Records a failed consumption on its row: retried after a delay growing with its attempts. */
  private async recordFailure(eventId: string, consumer: OutboxConsumerName, err: unknown, manager = this.dataSource.manager): Promise<void> {
    await manager.query(
      `UPDATE outbox_consumptions
          SET attempts = attempts + 1, last_error = $3,
              next_attempt_at = now() + least(attempts + 1, $4) * interval '1 second'
        WHERE event_id = $1 AND consumer = $2`,
      [eventId, consumer, errorMessage(err).slice(0, MAX_ERROR_LENGTH), MAX_RETRY_DELAY_SECONDS],
    );
  }

  /** Relays up to BATCH_SIZE events to webhook deliveries; returns how many it claimed. */
  async relayBatch(): Promise<number> {
    return this.dataSource.transaction(async (manager) => {
      const events = (await manager.query(
        `SELECT id FROM outbox_events WHERE relayed_at IS NULL ORDER BY created_at, id LIMIT $1 FOR UPDATE SKIP LOCKED`,
        [BATCH_SIZE],
      )) as Array<{ id: string }>;
      if (events.length === 0) return 0;
      const ids = events.map((e) => e.id);
      // Only the events webhooks report: internal ones (api_key.*) are marked relayed with no delivery.
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
          WHERE e.id = ANY($1::uuid[]) AND e.event_type = ANY($2::text[])
          ORDER BY e.created_at, e.id, w.id
         ON CONFLICT (webhook_id, message_id) DO NOTHING
         RETURNING id`,
        [ids, [...WEBHOOK_EVENTS]],
      )) as Array<{ id: string }>;
      await manager.query(`UPDATE outbox_events SET relayed_at = now() WHERE id = ANY($1::uuid[])`, [ids]);
      // Last, so a Redis that refuses the jobs rolls the whole relay back.
      await this.queue.add(deliveries.map((d) => d.id));
      return events.length;
    });
  }
}
