import { Column, Entity, PrimaryColumn } from 'typeorm';
import { bigintToNumber } from './transformers.js';

/** One link of a workspace's hash chain. Rows are only ever inserted (database triggers enforce it). */
@Entity('audit_log')
export class AuditEntryEntity {
  @PrimaryColumn('bigint', { transformer: bigintToNumber, insert: false, update: false }) id: number;
  @Column('uuid', { name: 'workspace_id' }) workspaceId: string;
  @Column('bigint', { transformer: bigintToNumber }) seq: number;
  @Column('text') action: string;
  @Column('text', { name: 'resource_type' }) resourceType: string;
  @Column('text', { name: 'resource_id', nullable: true }) resourceId: string | null;
  @Column('text', { name: 'actor_email', nullable: true }) actorEmail: string | null;
  @Column('jsonb', { default: () => `'{}'::jsonb` }) extra: Record<string, unknown>;
  @Column('char', { name: 'prev_hash', length: 64 }) prevHash: string;
  @Column('char', { name: 'integrity_hash', length: 64 }) integrityHash: string;
  @Column('timestamptz', { name: 'created_at' }) createdAt: Date;
}
