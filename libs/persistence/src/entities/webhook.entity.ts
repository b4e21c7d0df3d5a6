import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';

@Entity('webhooks')
export class WebhookEntity {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column('uuid', { name: 'workspace_id' }) workspaceId: string;
  /** What people call the subscription; optional. */
  @Column('varchar', { length: 200, nullable: true }) name: string | null;
  @Column('text') url: string;
  @Column('text', { array: true }) events: string[];
  /** AES-256-GCM envelope of the whsec_ secret; never returned after creation. */
  @Column('text', { name: 'secret_encrypted', select: false }) secretEncrypted: string;
  @Column('uuid', { name: 'created_by', nullable: true }) createdBy: string | null;
  @Column('timestamptz', { name: 'disabled_at', nullable: true }) disabledAt: Date | null;
  @Column('text', { name: 'disabled_reason', nullable: true }) disabledReason: string | null;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt: Date;
}

export type DeliveryStatus = 'pending' | 'succeeded' | 'failed';

@Entity('webhook_deliveries')
export class WebhookDeliveryEntity {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column('uuid', { name: 'webhook_id' }) webhookId: string;
  @Column('text') event: string;
  /** The Standard Webhooks `webhook-id`, identical across retries. */
  @Column('text', { name: 'message_id' }) messageId: string;
  @Column('jsonb') payload: Record<string, unknown>;
  @Column('text', { default: 'pending' }) status: DeliveryStatus;
  @Column('integer', { default: 0 }) attempts: number;
  @Column('integer', { name: 'response_status', nullable: true }) responseStatus: number | null;
  @Column('text', { name: 'last_error', nullable: true }) lastError: string | null;
  @Column('timestamptz', { name: 'next_attempt_at', nullable: true }) nextAttemptAt: Date | null;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt: Date;
  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' }) updatedAt: Date;
}
