import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';
import { bigintToNumber } from './transformers.js';

@Entity('api_keys')
export class ApiKeyEntity {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column('uuid', { name: 'workspace_id' }) workspaceId: string;
  @Column('uuid', { name: 'environment_id' }) environmentId: string;
  @Column('text') name: string;
  @Column('text') prefix: string;
  /** Hex SHA-256 of the full key; the key itself is never stored. */
  @Column('text', { name: 'key_hash', select: false }) keyHash: string;
  @Column('integer', { name: 'rate_limit_rpm', default: 600 }) rateLimitRpm: number;
  @Column('uuid', { name: 'created_by', nullable: true }) createdBy: string | null;
  @Column('bigint', { name: 'served_count', default: 0, transformer: bigintToNumber }) servedCount: number;
  @Column('timestamptz', { name: 'last_served_at', nullable: true }) lastServedAt: Date | null;
  @Column('timestamptz', { name: 'revoked_at', nullable: true }) revokedAt: Date | null;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt: Date;
}
