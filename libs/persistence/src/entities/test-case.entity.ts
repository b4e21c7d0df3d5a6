import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';

/** One assertion as stored: libs/domain's Assertion (`is_json` with `value: null`). */
export interface StoredAssertion {
  type: 'contains' | 'not_contains' | 'regex' | 'max_chars' | 'is_json' | 'judge';
  value: string | number | null;
}

/** A message filling a chat prompt's placeholder in a test case. */
export interface StoredFillMessage {
  role: 'system' | 'user' | 'assistant';
  content: string;
}

@Entity('test_cases')
export class TestCaseEntity {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column('uuid', { name: 'workspace_id' }) workspaceId: string;
  @Column('uuid', { name: 'prompt_id' }) promptId: string;
  @Column('text') name: string;
  @Column('jsonb', { default: () => `'{}'::jsonb` }) variables: Record<string, string>;
  @Column('text', { nullable: true }) input: string | null;
  @Column('jsonb', { default: () => `'{}'::jsonb` }) placeholders: Record<string, StoredFillMessage[]>;
  @Column('jsonb', { default: () => `'[]'::jsonb` }) assertions: StoredAssertion[];
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt: Date;
  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' }) updatedAt: Date;
}
