import { Injectable, type OnModuleInit } from '@nestjs/common';
import { OUTBOX_CONSUMERS, outboxConsumerInputSchemas } from '#contracts';
import type { ConsumedEvent, OutboxConsumer } from '../outbox/outbox-consumer.js';
import { OutboxRelay } from '../outbox/outbox-relay.js';
import { EvalsService } from './evals.service.js';

/** The outbox consumer that requests a submitted version's evals (`version.submitted` from a submit). */
@Injectable()
export class EvalsOnSubmitConsumer implements OutboxConsumer, OnModuleInit {
  readonly consumer = OUTBOX_CONSUMERS.evalsOnSubmit;

  constructor(
    private readonly evals: EvalsService,
    private readonly relay: OutboxRelay,
  ) {}

  onModuleInit(): void {
    this.relay.register(this);
  }

  async consume(event: ConsumedEvent): Promise<void> {
    const input = outboxConsumerInputSchemas[this.consumer].parse(event.input);
    await this.evals.requestOnSubmit({ eventId: event.id, versionId: input.version_id, actorId: input.actor_id });
  }
}
