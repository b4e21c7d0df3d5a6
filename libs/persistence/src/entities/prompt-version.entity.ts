import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';
import type { ModelConfig, PromptMessage } from '#domain';
import { bigintToNumber } from './transformers.js';

export type VersionStatus = 'draft' | 'pending_review' | 'approved' | 'rejected' | 'archived';

@Entity('prompt_versions')
export class PromptVersionEntity {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column('uuid', { name: 'prompt_id' }) promptId: string;
  @Column('integer', { name: 'version_num' }) versionNum: number;
  @Column('text') status: VersionStatus;
  /** A text version's content; null for a chat version. */
  @Column('text', { nullable: true }) content: string | null;
  @Column('text', { name: 'parent_content', nullable: true }) parentContent: string | null;
  /** A chat version's messages (libs/domain PromptMessage[]); null for a text version. */
  @Column('jsonb', { nullable: true }) messages: PromptMessage[] | null;
  @Column('jsonb', { name: 'parent_messages', nullable: true }) parentMessages: PromptMessage[] | null;
  /** The model configuration the version was reviewed with; `{}` when none. */
  @Column('jsonb', { default: () => `'{}'::jsonb` }) config: ModelConfig;
  @Column('jsonb', { name: 'parent_config', nullable: true }) parentConfig: ModelConfig | null;
  @Column('uuid', { name: 'base_version_id', nullable: true }) baseVersionId: string | null;
  @Column('uuid', { name: 'rollback_of_version_id', nullable: true }) rollbackOfVersionId: string | null;
  @Column('text', { name: 'commit_message', nullable: true }) commitMessage: string | null;
  @Column('uuid', { name: 'proposed_by', nullable: true }) proposedBy: string | null;
  @Column('uuid', { name: 'approved_by', nullable: true }) approvedBy: string | null;
  /** Who approved or rejected the version. */
  @Column('uuid', { name: 'reviewed_by', nullable: true }) reviewedBy: string | null;
  @Column('text', { name: 'review_note', nullable: true }) reviewNote: string | null;
  @Column('timestamptz', { name: 'submitted_at', nullable: true }) submittedAt: Date | null;
  @Column('timestamptz', { name: 'reviewed_at', nullable: true }) reviewedAt: Date | null;
  @Column('timestamptz', { name: 'live_from', nullable: true }) liveFrom: Date | null;
  @Column('timestamptz', { name: 'live_until', nullable: true }) liveUntil: Date | null;
  @Column('uuid', { name: 'last_eval_id', nullable: true }) lastEvalId: string | null;
  @Column('bigint', { name: 'served_count', default: 0, transformer: bigintToNumber }) servedCount: number;
  @Column('timestamptz', { name: 'last_served_at', nullable: true }) lastServedAt: Date | null;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt: Date;
}
