import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';

export type ProviderName = 'anthropic' | 'openai' | 'google' | 'groq' | 'mistral';

@Entity('environments')
export class EnvironmentEntity {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column('uuid', { name: 'workspace_id' }) workspaceId: string;
  @Column('text') name: string;
  @Column('boolean', { name: 'is_protected', default: false }) isProtected: boolean;
  @Column('boolean', { name: 'require_review', default: false }) requireReview: boolean;
  @Column('boolean', { name: 'eval_required', default: false }) evalRequired: boolean;
  @Column('double precision', { name: 'eval_pass_threshold', default: 7 }) evalPassThreshold: number;
  @Column('text', { name: 'judge_provider', nullable: true }) judgeProvider: ProviderName | null;
  @Column('text', { name: 'judge_model', nullable: true }) judgeModel: string | null;
  @Column('boolean', { name: 'tests_required', default: false }) testsRequired: boolean;
  @Column('integer', { name: 'max_regressions', default: 0 }) maxRegressions: number;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt: Date;
  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' }) updatedAt: Date;
}
