import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';
import type { ProviderName } from './environment.entity.js';

export type EvalMode = 'rules' | 'judge';
export type EvalStatus = 'queued' | 'running' | 'succeeded' | 'failed';
export interface EvalDimension {
  name: string;
  score: number;
  reason: string;
  suggestion?: string;
}

@Entity('eval_runs')
export class EvalRunEntity {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column('uuid', { name: 'workspace_id' }) workspaceId: string;
  @Column('uuid', { name: 'version_id' }) versionId: string;
  @Column('text') mode: EvalMode;
  @Column('text', { nullable: true }) provider: ProviderName | null;
  @Column('text', { nullable: true }) model: string | null;
  @Column('text', { default: 'queued' }) status: EvalStatus;
  @Column('double precision', { nullable: true }) score: number | null;
  @Column('jsonb', { default: () => `'[]'::jsonb` }) dimensions: EvalDimension[];
  @Column('jsonb', { default: () => `'[]'::jsonb` }) suggestions: string[];
  @Column('text', { nullable: true }) error: string | null;
  @Column('uuid', { name: 'requested_by', nullable: true }) requestedBy: string | null;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt: Date;
  @Column('timestamptz', { name: 'started_at', nullable: true }) startedAt: Date | null;
  @Column('timestamptz', { name: 'finished_at', nullable: true }) finishedAt: Date | null;
}
