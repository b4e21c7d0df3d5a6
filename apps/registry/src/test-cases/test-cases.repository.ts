import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import type { TestCaseInput } from '#domain';
import type { StoredAssertion, StoredFillMessage } from '#persistence';
import { KeysetWindow, type Keyset, type Page, type PageRequest } from '../common/pagination.js';

/** A test case as stored. */
export interface TestCaseRow {
  id: string;
  workspace_id: string;
  prompt_id: string;
  name: string;
  variables: Record<string, string>;
  input: string | null;
  placeholders: Record<string, StoredFillMessage[]>;
  assertions: StoredAssertion[];
  created_at: Date;
  updated_at: Date;
}

const COLUMNS = 'id, workspace_id, prompt_id, name, variables, input, placeholders, assertions, created_at, updated_at';

/** Name order, in bytes (COLLATE "C"), the same on every server; a name is unique in its prompt. */
const NAME_ORDER: Keyset<readonly ['text']> = { columns: ['name COLLATE "C"'], shape: ['text'], direction: 'ASC' };

/** A prompt's test cases. */
@Injectable()
export class TestCasesRepository {
  constructor(private readonly dataSource: DataSource) {}

  async countOf(manager: EntityManager, promptId: string): Promise<number> {
    const [row] = (await manager.query(`SELECT count(*)::int AS n FROM test_cases WHERE prompt_id = $1`, [promptId])) as Array<{ n: number }>;
    return row.n;
  }

  async insert(manager: EntityManager, workspaceId: string, promptId: string, input: TestCaseInput): Promise<TestCaseRow> {
    const [row] = (await manager.query(
      `INSERT INTO test_cases (workspace_id, prompt_id, name, variables, input, placeholders, assertions)
       VALUES ($1, $2, $3, $4::jsonb, $5, $6::jsonb, $7::jsonb) RETURNING ${COLUMNS}`,
      [workspaceId, promptId, input.name, JSON.stringify(input.variables), input.input, JSON.stringify(input.placeholders), JSON.stringify(input.assertions)],
    )) as TestCaseRow[];
    return row;
  }

  async find(manager: EntityManager, id: string, lock = false): Promise<TestCaseRow | null> {
    const [row] = (await manager.query(`SELECT ${COLUMNS} FROM test_cases WHERE id = $1${lock ? ' FOR UPDATE' : ''}`, [id])) as TestCaseRow[];
    return row ?? null;
  }

  /** Sets the fields present in `changes` and `updated_at`. */
  async update(manager: EntityManager, id: string, changes: Partial<TestCaseInput>): Promise<TestCaseRow> {
    const params: unknown[] = [id];
    const sets: string[] = ['updated_at = now()'];
    if (changes.name !== undefined) sets.push(`name = $${params.push(changes.name)}`);
    if (changes.variables !== undefined) sets.push(`variables = $${params.push(JSON.stringify(changes.variables))}::jsonb`);
    if (changes.input !== undefined) sets.push(`input = $${params.push(changes.input)}`);
    if (changes.placeholders !== undefined) sets.push(`placeholders = $${params.push(JSON.stringify(changes.placeholders))}::jsonb`);
    if (changes.assertions !== undefined) sets.push(`assertions = $${params.push(JSON.stringify(changes.assertions))}::jsonb`);
    const [rows] = (await manager.query(`UPDATE test_cases SET ${sets.join(', ')} WHERE id = $1 RETURNING ${COLUMNS}`, params)) as [TestCaseRow[], number];
    return rows[0];
  }

  async delete(manager: EntityManager, id: string): Promise<void> {
    await manager.query(`DELETE FROM test_cases WHERE id = $1`, [id]);
  }

  async list<Item>(promptId: string, page: PageRequest, present: (row: TestCaseRow) => Item): Promise<Page<Item>> {
    const window = new KeysetWindow(NAME_ORDER, page);
    const params: unknown[] = [promptId];
    const after = window.afterSql(params);
    const rows = (await this.dataSource.query(
      `SELECT ${COLUMNS} FROM test_cases WHERE prompt_id = $1${after ? ` AND ${after}` : ''}
        ORDER BY ${window.orderSql()} LIMIT ${window.limitSql(params)}`,
      params,
    )) as TestCaseRow[];
    return window.pageOf(rows, (r) => [r.name], present);
  }

  /**
   * Copies the cases of `fromPromptId` whose names `toPromptId` does not have, in name order, up to
   * `room` of them; a case the target has already is left as it is. Returns how many were copied.
   */
  async copyMissing(manager: EntityManager, fromPromptId: string, toPromptId: string, room: number): Promise<number> {
    if (room <= 0) return 0;
    const copied = (await manager.query(
      `INSERT INTO test_cases (workspace_id, prompt_id, name, variables, input, placeholders, assertions)
       SELECT target.workspace_id, target.id, c.name, c.variables, c.input, c.placeholders, c.assertions
         FROM test_cases c JOIN prompts target ON target.id = $2
        WHERE c.prompt_id = $1
          AND NOT EXISTS (SELECT 1 FROM test_cases t WHERE t.prompt_id = $2 AND t.name = c.name)
        ORDER BY c.name COLLATE "C" LIMIT $3
       ON CONFLICT (prompt_id, name) DO NOTHING RETURNING id`,
      [fromPromptId, toPromptId, room],
    )) as Array<{ id: string }>;
    return copied.length;
  }
}
