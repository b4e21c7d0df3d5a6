import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import {
  ConflictError, ForbiddenError, MAX_TEST_CASES_PER_PROMPT, NotFoundError, readTestCaseInput, roleAtLeast,
  type Role, type TestCaseInput,
} from '#domain';
import { compileSafeRegex } from '#runtime';
import { WorkspaceAccess } from '../access/workspace-access.js';
import { AuditTrail } from '../audit/audit-trail.js';
import type { Page, PageRequest } from '../common/pagination.js';
import { isUniqueViolation } from '../common/pg-errors.js';
import type { AuthenticatedUser } from '../identity/current-user.decorator.js';
import { PromptsRepository } from '../prompts/prompts.repository.js';
import { PromptsService } from '../prompts/prompts.service.js';
import { toTestCaseView, type TestCaseView } from './test-case.view.js';
import { TestCasesRepository, type TestCaseRow } from './test-cases.repository.js';

const UNIQUE_NAME = 'test_cases_prompt_name_key';

const nameTaken = (name: string) => new ConflictError(`This prompt has a test case named "${name}" already.`, 'conflict', { field: 'name' });

/**
 * A prompt's test cases: what its application really sends, with what a good answer must satisfy.
 * Bodies are read by libs/domain readTestCaseInput (regexes checked on the worker's RE2 engine, so a
 * pattern the worker cannot run is refused at save). Creating a case locks the prompt's row, so
 * the count of 200 per prompt holds under concurrent creates.
 */
@Injectable()
export class TestCasesService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly access: WorkspaceAccess,
    private readonly audit: AuditTrail,
    private readonly prompts: PromptsService,
    private readonly promptRows: PromptsRepository,
    private readonly cases: TestCasesRepository,
  ) {}

  async create(actor: AuthenticatedUser, promptId: string, body: unknown): Promise<TestCaseView> {
    return this.audit.transaction(async ({ manager, audit }) => {
      const { prompt } = await this.prompts.loadPromptForUser(actor.id, promptId, 'editor', manager);
      const input = readTestCaseInput(body, { partial: false, compileRegex: compileSafeRegex });
      await this.promptRows.lockPrompt(manager, prompt.id);
      if ((await this.cases.countOf(manager, prompt.id)) >= MAX_TEST_CASES_PER_PROMPT) {
        throw new ConflictError(
          `This prompt has ${MAX_TEST_CASES_PER_PROMPT} test cases, the most a prompt may have: delete one before adding another.`,
          'too_many_test_cases', { max: MAX_TEST_CASES_PER_PROMPT },
        );
      }
      const row = await this.writeOrConflict(() => this.cases.insert(manager, prompt.workspaceId, prompt.id, input), input.name);
      audit({
        workspaceId: prompt.workspaceId, action: 'test_case.created', resourceType: 'test_case', resourceId: row.id,
        actorEmail: actor.email, extra: { prompt_id: prompt.id, prompt_key: prompt.key, name: row.name },
      });
      return toTestCaseView(row);
    });
  }

  async list(userId: string, promptId: string, page: PageRequest): Promise<Page<TestCaseView>> {
    const { prompt } = await this.prompts.loadPromptForUser(userId, promptId, 'viewer');
    return this.cases.list(prompt.id, page, toTestCaseView);
  }

  /** Changes the fields present; a body that changes nothing answers the case as it is, unaudited. */
  async update(actor: AuthenticatedUser, testCaseId: string, body: unknown): Promise<TestCaseView> {
    return this.audit.transaction(async ({ manager, audit }) => {
      const current = await this.loadForUser(manager, actor.id, testCaseId, 'editor');
      const input = readTestCaseInput(body, { partial: true, compileRegex: compileSafeRegex });
      const changed = (Object.keys(input) as Array<keyof TestCaseInput>)
        .filter((field) => JSON.stringify(input[field]) !== JSON.stringify(current[field]));
      if (changed.length === 0) return toTestCaseView(current);
      const row = await this.writeOrConflict(() => this.cases.update(manager, current.id, input), input.name ?? current.name);
      audit({
        workspaceId: current.workspace_id, action: 'test_case.updated', resourceType: 'test_case', resourceId: current.id,
        actorEmail: actor.email,
        extra: { prompt_id: current.prompt_id, name: row.name, fields: changed, ...(input.name !== undefined && changed.includes('name') ? { previous_name: current.name } : {}) },
      });
      return toTestCaseView(row);
    });
  }

  async remove(actor: AuthenticatedUser, testCaseId: string): Promise<void> {
    await this.audit.transaction(async ({ manager, audit }) => {
      const current = await this.loadForUser(manager, actor.id, testCaseId, 'editor');
      await this.cases.delete(manager, current.id);
      audit({
        workspaceId: current.workspace_id, action: 'test_case.deleted', resourceType: 'test_case', resourceId: current.id,
        actorEmail: actor.email, extra: { prompt_id: current.prompt_id, name: current.name },
      });
    });
  }

  /** The case, locked, when the caller holds `minRole` in its workspace; `404` for an unknown case and one of another workspace. */
  private async loadForUser(manager: EntityManager, userId: string, testCaseId: string, minRole: Role): Promise<TestCaseRow> {
    const row = await this.cases.find(manager, testCaseId, true);
    if (!row) throw new NotFoundError('Test case');
    const role = await this.access.roleOf(userId, row.workspace_id, manager);
    if (role === null) throw new NotFoundError('Test case');
    if (!roleAtLeast(role, minRole)) throw new ForbiddenError(`This needs the ${minRole} role or higher in the workspace.`);
    return row;
  }

  /** Runs the write; a name another case of the prompt has is `409 conflict` (also when a concurrent write took it first). */
  private async writeOrConflict(write: () => Promise<TestCaseRow>, name: string): Promise<TestCaseRow> {
    try {
      return await write();
    } catch (err) {
      if (isUniqueViolation(err, UNIQUE_NAME)) throw nameTaken(name);
      throw err;
    }
  }
}
