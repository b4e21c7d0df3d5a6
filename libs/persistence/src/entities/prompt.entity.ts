import type { PromptType } from '#domain';
import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';

@Entity('prompts')
export class PromptEntity {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column('uuid', { name: 'workspace_id' }) workspaceId: string;
  @Column('uuid', { name: 'environment_id' }) environmentId: string;
  @Column('text') key: string;
  /** `text` or `chat`, fixed at creation. */
  @Column('text', { default: 'text' }) type: PromptType;
  @Column('text', { nullable: true }) description: string | null;
  @Column('uuid', { name: 'live_version_id', nullable: true }) liveVersionId: string | null;
  /** Highest version number handed out; bumped under the prompt's row lock, so numbers have no gaps. */
  @Column('integer', { name: 'last_version_num', default: 0 }) lastVersionNum: number;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt: Date;
  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' }) updatedAt: Date;
}
