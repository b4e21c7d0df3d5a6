import { Column, Entity, PrimaryColumn } from 'typeorm';
import type { ProviderName } from './environment.entity.js';

@Entity('provider_keys')
export class ProviderKeyEntity {
  @PrimaryColumn('uuid', { name: 'workspace_id' }) workspaceId: string;
  @PrimaryColumn('text') provider: ProviderName;
  /** AES-256-GCM envelope of the provider API key. */
  @Column('text', { name: 'key_encrypted', select: false }) keyEncrypted: string;
  @Column('text') last4: string;
  @Column('uuid', { name: 'updated_by', nullable: true }) updatedBy: string | null;
  @Column('timestamptz', { name: 'updated_at' }) updatedAt: Date;
}
