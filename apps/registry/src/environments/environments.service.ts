import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { ConflictError } from '#domain';
import { EnvironmentEntity } from '#persistence';
import { WorkspaceAccess } from '../access/workspace-access.js';
import { AuditTrail } from '../audit/audit-trail.js';
import type { AuthenticatedUser } from '../identity/current-user.decorator.js';
import { byCreation, keysetPage, type Page, type PageRequest } from '../common/pagination.js';
import { isUniqueViolation } from '../common/pg-errors.js';
import { DEFAULT_EVAL_PASS_THRESHOLD, insertEnvironment } from '../workspaces/create-workspace.js';
import type { CreateEnvironmentDto, UpdateEnvironmentDto } from './dto/environment.dto.js';
import { toEnvironmentView, type EnvironmentView } from './environment.view.js';

type Judge = { provider: string; model: string | null } | null;

function judgeOf(e: Pick<EnvironmentEntity, 'judgeProvider' | 'judgeModel'>): Judge {
  return e.judgeProvider ? { provider: e.judgeProvider, model: e.judgeModel } : null;
}

@Injectable()
export class EnvironmentsService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly access: WorkspaceAccess,
    private readonly audit: AuditTrail,
  ) {}

  async list(userId: string, workspaceId: string, page: PageRequest): Promise<Page<EnvironmentView>> {
    await this.access.requireRole(userId, workspaceId, 'viewer');
    const query = this.dataSource.manager.createQueryBuilder(EnvironmentEntity, 'e').where('e.workspaceId = :workspaceId', { workspaceId });
    return keysetPage(query, byCreation('e', 'ASC'), page, toEnvironmentView);
  }

  async get(userId: string, environmentId: string): Promise<EnvironmentView> {
    return toEnvironmentView(await this.access.requireEnvironmentRole(userId, environmentId, 'viewer'));
  }

  async create(actor: AuthenticatedUser, workspaceId: string, dto: CreateEnvironmentDto): Promise<EnvironmentView> {
    return this.audit.transaction(async ({ manager, audit }) => {
      await this.access.requireRole(actor.id, workspaceId, 'admin', manager);
      const isProtected = dto.is_protected ?? false;
      let environment: EnvironmentEntity;
      try {
        environment = await insertEnvironment(manager, {
          workspaceId, name: dto.name, isProtected, requireReview: isProtected,
          evalRequired: false, evalPassThreshold: DEFAULT_EVAL_PASS_THRESHOLD,
        });
      } catch (err) {
        if (isUniqueViolation(err, 'environments_workspace_name_key')) {
          throw new ConflictError(`An environment named "${dto.name}" already exists in this workspace.`);
        }
        throw err;
      }
      audit({
        workspaceId, action: 'environment.created', resourceType: 'environment', resourceId: environment.id,
        actorEmail: actor.email, extra: { name: environment.name, is_protected: environment.isProtected },
      });
      return toEnvironmentView(environment);
    });
  }

  async update(actor: AuthenticatedUser, environmentId: string, dto: UpdateEnvironmentDto): Promise<EnvironmentView> {
    return this.audit.transaction(async ({ manager, audit }) => {
      await this.access.requireEnvironmentRole(actor.id, environmentId, 'admin', manager);
      const current = await manager.findOneOrFail(EnvironmentEntity, { where: { id: environmentId }, lock: { mode: 'pessimistic_write' } });
      const judge: Judge = dto.judge === undefined
        ? judgeOf(current)
        : dto.judge === null ? null : { provider: dto.judge.provider, model: dto.judge.model ?? null };
      const next = {
        is_protected: dto.is_protected ?? current.isProtected,
        require_review: dto.require_review ?? current.requireReview,
        eval_required: dto.eval_required ?? current.evalRequired,
        eval_pass_threshold: dto.eval_pass_threshold ?? current.evalPassThreshold,
        tests_required: dto.tests_required ?? current.testsRequired,
        max_regressions: dto.max_regressions ?? current.maxRegressions,
        judge,
      };
      const before: typeof next = {
        is_protected: current.isProtected,
        require_review: current.requireReview,
        eval_required: current.evalRequired,
        eval_pass_threshold: current.evalPassThreshold,
        tests_required: current.testsRequired,
        max_regressions: current.maxRegressions,
        judge: judgeOf(current),
      };
      const changes: Record<string, { from: unknown; to: unknown }> = {};
      for (const field of Object.keys(next) as Array<keyof typeof next>) {
        if (JSON.stringify(before[field]) !== JSON.stringify(next[field])) changes[field] = { from: before[field], to: next[field] };
      }
      if (Object.keys(changes).length === 0) return toEnvironmentView(current);
      await manager.update(EnvironmentEntity, { id: environmentId }, {
        isProtected: next.is_protected,
        requireReview: next.require_review,
        evalRequired: next.eval_required,
        evalPassThreshold: next.eval_pass_threshold,
        testsRequired: next.tests_required,
        maxRegressions: next.max_regressions,
        judgeProvider: (next.judge?.provider ?? null) as EnvironmentEntity['judgeProvider'],
        judgeModel: next.judge?.model ?? null,
      });
      audit({
        workspaceId: current.workspaceId, action: 'environment.updated', resourceType: 'environment',
        resourceId: environmentId, actorEmail: actor.email, extra: { changes },
      });
      return toEnvironmentView(await manager.findOneByOrFail(EnvironmentEntity, { id: environmentId }));
    });
  }
}
