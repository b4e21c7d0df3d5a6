import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { EvalRequestJob } from '#contracts';
import {
  evalJobKeyBinding, evalJobKeyExpiry, judgeModelFor, judgeModelProblem, NotFoundError, sealSecret, ServiceUnavailableError,
  UnprocessableError, ValidationError,
} from '#domain';
import { EvalRunEntity } from '#persistence';
import { AppLogger } from '#runtime';
import { WorkspaceAccess } from '../access/workspace-access.js';
import { REGISTRY_CONFIG, type RegistryConfig } from '../common/config.js';
import { byCreation, keysetPage, type Page, type PageRequest } from '../common/pagination.js';
import type { AuthenticatedUser } from '../identity/current-user.decorator.js';
import { PromptsService } from '../prompts/prompts.service.js';
import { ProviderKeysService } from '../provider-keys/provider-keys.service.js';
import type { EvalRequest } from './dto/request-eval.dto.js';
import { EvalOutcomes } from './eval-outcomes.js';
import { EvalRequestQueue } from './eval-request-queue.js';
import { toEvalRunView, type EvalRunView } from './eval-run.view.js';

export const NOT_QUEUED_ERROR = 'The eval could not be queued: the job queue is unavailable. Request it again.';

/** A recorded run and what its job needs; `apiKey` lives only in memory until it is sealed into the job. */
interface RecordedRun {
  run: EvalRunEntity;
  content: string;
  apiKey: string | null;
}

/**
 * Eval runs: requested here and recorded as queued, then scored by the eval worker through
 * `eval.requests`, whose results come back through `eval.results` (EvalResultsConsumer).
 */
@Injectable()
export class EvalsService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly access: WorkspaceAccess,
    private readonly prompts: PromptsService,
    private readonly providerKeys: ProviderKeysService,
    private readonly queue: EvalRequestQueue,
    private readonly outcomes: EvalOutcomes,
    private readonly logger: AppLogger,
    @Inject(REGISTRY_CONFIG) private readonly config: RegistryConfig,
  ) {}

  /**
   * Records a queued run, then (after commit, so the worker never sees a run that is not there)
   * queues its job. A job Redis does not take fails the run and is `503 queue_unavailable`.
   */
  async requestEval(actor: AuthenticatedUser, versionId: string, request: EvalRequest): Promise<{ eval_id: string; status: 'queued' }> {
    const recorded = await this.dataSource.transaction(async (manager): Promise<RecordedRun> => {
      const { version, prompt, environment } = await this.prompts.loadVersionForUser(actor.id, versionId, 'editor', manager);
      let apiKey: string | null = null;
      let model: string | null = null;
      if (request.mode === 'judge') {
        apiKey = request.apiKey ?? (await this.providerKeys.openSavedKey(manager, prompt.workspaceId, request.provider));
        if (apiKey === null) {
          throw new UnprocessableError(
            `No API key for ${request.provider}: send api_key, or save one for the workspace.`, 'provider_key_missing');
        }
        model = judgeModelFor(request, environment);
        // The environment's judge model may predate the name rule; the job contract would refuse it.
        const problem = model === null ? null : judgeModelProblem(request.provider, model);
        if (problem) throw new ValidationError(`The request is invalid: model.`, [{ field: 'model', messages: [problem] }]);
      }
      const run = await manager.save(manager.create(EvalRunEntity, {
        workspaceId: prompt.workspaceId, versionId, mode: request.mode, provider: request.mode === 'judge' ? request.provider : null,
        model, status: 'queued', requestedBy: actor.id,
      }));
      return { run, content: version.content, apiKey };
    });
    await this.queueJob(recorded);
    return { eval_id: recorded.run.id, status: 'queued' };
  }

  /**
   * After a version is submitted: a rules eval, and a judge eval where the environment has a judge
   * and a key is saved for it. Never fails the submit: a run that could not be queued is marked failed.
   */
  async requestOnSubmit(actor: AuthenticatedUser, versionId: string): Promise<void> {
    const requests: EvalRequest[] = [{ mode: 'rules' }];
    try {
      const { environment } = await this.prompts.loadVersionForUser(actor.id, versionId, 'editor');
      if (environment.judgeProvider) requests.push({ mode: 'judge', provider: environment.judgeProvider, model: null, apiKey: null });
    } catch (err) {
      this.logger.pino.warn({ version_id: versionId, err: { message: (err as Error).message } }, 'evals on submit not requested');
      return;
    }
    for (const request of requests) {
      try {
        await this.requestEval(actor, versionId, request);
      } catch (err) {
        if (err instanceof UnprocessableError && err.code === 'provider_key_missing') continue;
        this.logger.pino.warn({ version_id: versionId, mode: request.mode, err: { message: (err as Error).message } }, 'eval on submit not queued');
      }
    }
  }

  async getEval(userId: string, evalId: string): Promise<EvalRunView> {
    const run = await this.dataSource.manager.findOneBy(EvalRunEntity, { id: evalId });
    if (!run || (await this.access.roleOf(userId, run.workspaceId)) === null) throw new NotFoundError('Eval');
    return toEvalRunView(run);
  }

  async listForVersion(userId: string, versionId: string, page: PageRequest): Promise<Page<EvalRunView>> {
    await this.prompts.loadVersionForUser(userId, versionId, 'viewer');
    const query = this.dataSource.manager.createQueryBuilder(EvalRunEntity, 'e').where('e.versionId = :versionId', { versionId });
    return keysetPage(query, byCreation('e'), page, toEvalRunView);
  }

  private async queueJob({ run, content, apiKey }: RecordedRun): Promise<void> {
    const base = { v: 1 as const, eval_id: run.id, workspace_id: run.workspaceId, version_id: run.versionId, content };
    let job: EvalRequestJob;
    if (run.mode === 'judge' && run.provider && apiKey !== null) {
      const expiresAt = evalJobKeyExpiry(new Date());
      job = {
        ...base, mode: 'judge', provider: run.provider, model: run.model,
        sealed_key: sealSecret(this.config.ENCRYPTION_KEY, apiKey, evalJobKeyBinding(run.id, expiresAt)), key_expires_at: expiresAt,
      };
    } else {
      job = { ...base, mode: 'rules' };
    }
    try {
      await this.queue.add(job);
    } catch (err) {
      // Only the error's message: the job (and its sealed key) stays out of the log.
      this.logger.pino.warn({ eval_id: run.id, err: { message: (err as Error).message } }, 'eval job not queued; eval marked failed');
      await this.outcomes.failUnqueued(run.id, NOT_QUEUED_ERROR);
      throw new ServiceUnavailableError(NOT_QUEUED_ERROR, 'queue_unavailable');
    }
  }
}
