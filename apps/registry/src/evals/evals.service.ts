import { Inject, Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import type { EvalRequestJob } from '#contracts';
import {
  evalJobKeyBinding, evalJobKeyExpiry, judgeModelFor, judgeModelProblem, NotFoundError, sealSecret, ServiceUnavailableError,
  messagesAsText, submissionEvalId, UnprocessableError, ValidationError, type PromptMessage,
} from '#domain';
import { EnvironmentEntity, EvalRunEntity, PromptEntity, PromptVersionEntity } from '#persistence';
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

/** A submission whose evals the outbox requests: its event, its version and who submitted it. */
export interface Submission {
  eventId: string;
  versionId: string;
  actorId: string;
}

/** A recorded run and what its job needs; `apiKey` lives only in memory until it is sealed into the job. */
interface RecordedRun {
  run: EvalRunEntity;
  /** What the evaluation reads: a text version's content, a chat version's messages rendered as text. */
  content: string;
  /** A chat version's messages, for the scorers that read them as messages. */
  messages: PromptMessage[] | null;
  apiKey: string | null;
}

/** The body an eval job carries (API.md: evaluations of a chat version read its messages, rendered as the diff renders them). */
const evalBody = (v: { content: string | null; messages: PromptMessage[] | null }) =>
  ({ content: v.messages === null ? v.content ?? '' : messagesAsText(v.messages), messages: v.messages });

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
      return { run, ...evalBody(version), apiKey };
    });
    await this.queueJob(recorded);
    return { eval_id: recorded.run.id, status: 'queued' };
  }

  /**
   * After a version is submitted (the outbox's `evals_on_submit` consumer): a rules eval, and a
   * judge eval where the environment has a judge and a key is saved for it. The submit was
   * authorised when it committed, so no role is checked again. Safe to run again for one
   * submission: each run's id derives from the submission's event, so a second call finds the
   * runs and only gives a still-queued one its job again. A run that could not be queued is
   * marked failed, as a requested one is; only a database that fails throws (to be retried).
   */
  async requestOnSubmit(submission: Submission): Promise<void> {
    const found = await this.submittedVersion(submission.versionId);
    if (!found) return;
    const requests: EvalRequest[] = [{ mode: 'rules' }];
    if (found.environment.judgeProvider) requests.push({ mode: 'judge', provider: found.environment.judgeProvider, model: null, apiKey: null });
    for (const request of requests) {
      let recorded: RecordedRun | null;
      try {
        recorded = await this.dataSource.transaction((manager) => this.recordOnSubmit(manager, submission, found, request));
      } catch (err) {
        // A saved key that can no longer be opened stays so until an admin saves it again: not worth a retry.
        if (!(err instanceof UnprocessableError)) throw err;
        this.logger.pino.warn({ version_id: found.version.id, mode: request.mode, err: { message: err.message } }, 'eval on submit not queued');
        continue;
      }
      if (!recorded) continue;
      try {
        await this.queueJob(recorded);
      } catch (err) {
        // Logged, and the run marked failed, by queueJob: the submission's evals are done with.
        if (!(err instanceof ServiceUnavailableError)) throw err;
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

  private async submittedVersion(versionId: string) {
    const manager = this.dataSource.manager;
    const version = await manager.findOneBy(PromptVersionEntity, { id: versionId });
    // Gone with its workspace since the submit: nothing to evaluate.
    if (!version) return null;
    const prompt = await manager.findOneByOrFail(PromptEntity, { id: version.promptId });
    const environment = await manager.findOneByOrFail(EnvironmentEntity, { id: prompt.environmentId });
    return { version, prompt, environment };
  }

  /** Records the submission's run of this mode, or finds it; null when there is no job to queue for it. */
  private async recordOnSubmit(
    manager: EntityManager,
    submission: Submission,
    { version, prompt, environment }: NonNullable<Awaited<ReturnType<EvalsService['submittedVersion']>>>,
    request: EvalRequest,
  ): Promise<RecordedRun | null> {
    const id = submissionEvalId(submission.eventId, request.mode);
    let apiKey: string | null = null;
    let model: string | null = null;
    if (request.mode === 'judge') {
      apiKey = await this.providerKeys.openSavedKey(manager, prompt.workspaceId, request.provider);
      if (apiKey === null) return null;
      model = judgeModelFor(request, environment);
      const problem = model === null ? null : judgeModelProblem(request.provider, model);
      if (problem) {
        this.logger.pino.warn({ version_id: version.id, mode: request.mode, err: { message: problem } }, 'eval on submit not queued');
        return null;
      }
    }
    // The submitter's account may be gone by a late retry: the run then has no requester, as after a deletion.
    await manager.query(
      `INSERT INTO eval_runs (id, workspace_id, version_id, mode, provider, model, status, requested_by)
       VALUES ($1, $2, $3, $4, $5, $6, 'queued', (SELECT id FROM users WHERE id = $7))
       ON CONFLICT (id) DO NOTHING`,
      [id, prompt.workspaceId, version.id, request.mode, request.mode === 'judge' ? request.provider : null, model, submission.actorId],
    );
    const run = await manager.findOneByOrFail(EvalRunEntity, { id });
    // A run already under way or finished has had its job: queueing it again would score it twice.
    if (run.status !== 'queued') return null;
    return { run, ...evalBody(version), apiKey };
  }

  private async queueJob({ run, content, messages, apiKey }: RecordedRun): Promise<void> {
    const base = {
      v: 1 as const, eval_id: run.id, workspace_id: run.workspaceId, version_id: run.versionId, content,
      ...(messages === null ? {} : { messages }),
    };
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
