import { Inject, Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import type { EvalRequestJob } from '#contracts';
import {
  evalJobKeyBinding, evalJobKeyExpiry, judgeModelFor, judgeModelProblem, NotFoundError, sealSecret, ServiceUnavailableError,
  messagesAsText, submissionEvalId, UnprocessableError, ValidationError, type PromptMessage,
} from '#domain';
import { EvalRunEntity, preparedStatement, type EnvironmentEntity } from '#persistence';
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
  run: Pick<EvalRunEntity, 'id' | 'workspaceId' | 'versionId' | 'mode' | 'provider' | 'model'>;
  /** What the evaluation reads: a text version's content, a chat version's messages rendered as text. */
  content: string;
  /** A chat version's messages, for the scorers that read them as messages. */
  messages: PromptMessage[] | null;
  apiKey: string | null;
}

/** What the evals of a submission read: the version's body, its workspace and its environment's judge. */
interface SubmittedVersion {
  version: { id: string; content: string | null; messages: PromptMessage[] | null };
  prompt: { workspaceId: string };
  environment: { judgeProvider: EnvironmentEntity['judgeProvider']; judgeModel: string | null };
}

/** The body an eval job carries (API.md: evaluations of a chat version read its messages, rendered as the diff renders them). */
const evalBody = (v: { content: string | null; messages: PromptMessage[] | null }) =>
  ({ content: v.messages === null ? v.content ?? '' : messagesAsText(v.messages), messages: v.messages });

/**
 * Eval runs: requested here and recorded as queued, then scored by the eval worker through
 * `eval.requests`, whose results come back through `eval.results` (EvalResultsConsumer).
 */

/**
 * The CTEs `inserted`, the run of id `id` recorded as queued from `source` (a SELECT or VALUES of
 * workspace_id, version_id, mode, provider, model, requested_by), and `run`, that run or the one
 * an earlier try of the same submission recorded: no row while a concurrent try is inserting it.
 */
const recordedRun = (id: string, source: string) => `inserted AS (
     INSERT INTO eval_runs (id, workspace_id, version_id, mode, provider, model, requested_by, status)
     SELECT ${id}, s.*, 'queued' FROM (${source}) AS s
     ON CONFLICT (id) DO NOTHING
     RETURNING id, workspace_id, version_id, mode, provider, model, status),
   run AS (
     SELECT id, workspace_id, version_id, mode, provider, model, status FROM inserted
     UNION ALL
     SELECT id, workspace_id, version_id, mode, provider, model, status FROM eval_runs WHERE id = ${id} AND NOT EXISTS (SELECT 1 FROM inserted))`;

/**
 * The submitted version with what its evals read of its prompt and environment, and its rules run
 * recorded (or found, from an earlier try of the submission), in one statement: no row once the
 * version is gone; no run when a concurrent try of the same submission is inserting it.
 */
const SUBMITTED_VERSION_AND_RULES_RUN = preparedStatement(
  `WITH version AS (
     SELECT v.id, v.content, v.messages, p.workspace_id, e.judge_provider, e.judge_model
       FROM prompt_versions v JOIN prompts p ON p.id = v.prompt_id JOIN environments e ON e.id = p.environment_id
      WHERE v.id = $2::uuid),
   ${recordedRun('$1::uuid', `SELECT version.workspace_id, version.id, 'rules', NULL::text, NULL::text, (SELECT id FROM users WHERE id = $3::uuid) FROM version`)}
   SELECT version.id, version.content, version.messages, version.workspace_id, version.judge_provider, version.judge_model,
          run.id AS run_id, run.status AS run_status
     FROM version LEFT JOIN run ON true`,
);

/** A submission's judge run, recorded or found (the submitter's account may be gone by a late retry: no requester then). */
const RECORD_ON_SUBMIT = preparedStatement(
  `WITH ${recordedRun('$1::uuid', `SELECT $2::uuid, $3::uuid, $4::text, $5::text, $6::text, (SELECT id FROM users WHERE id = $7::uuid)`)}
   SELECT id, workspace_id, version_id, mode, provider, model, status FROM run`,
);
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
    const [row] = (await SUBMITTED_VERSION_AND_RULES_RUN.run(this.dataSource.manager, [
      submissionEvalId(submission.eventId, 'rules'), submission.versionId, submission.actorId,
    ])) as Array<{
      id: string; content: string | null; messages: PromptMessage[] | null; workspace_id: string;
      judge_provider: EnvironmentEntity['judgeProvider']; judge_model: string | null; run_id: string | null; run_status: EvalRunEntity['status'] | null;
    }>;
    // Gone with its workspace since the submit: nothing to evaluate.
    if (!row) return;
    const found: SubmittedVersion = {
      version: { id: row.id, content: row.content, messages: row.messages },
      prompt: { workspaceId: row.workspace_id },
      environment: { judgeProvider: row.judge_provider, judgeModel: row.judge_model },
    };
    // Not visible yet (a concurrent try of the same submission is inserting it, and queues it), or
    // already under way or finished, so it has had its job: queueing it again would score it twice.
    const rules: RecordedRun | null = row.run_id !== null && row.run_status === 'queued'
      ? {
        run: { id: row.run_id, workspaceId: row.workspace_id, versionId: row.id, mode: 'rules', provider: null, model: null },
        ...evalBody(found.version), apiKey: null,
      }
      : null;
    await this.queueOnSubmit(rules);
    const provider = found.environment.judgeProvider;
    if (!provider) return;
    let recorded: RecordedRun | null;
    try {
      recorded = await this.recordOnSubmit(this.dataSource.manager, submission, found, { mode: 'judge', provider, model: null, apiKey: null });
    } catch (err) {
      // A saved key that can no longer be opened stays so until an admin saves it again: not worth a retry.
      if (!(err instanceof UnprocessableError)) throw err;
      this.logger.pino.warn({ version_id: found.version.id, mode: 'judge', err: { message: err.message } }, 'eval on submit not queued');
      return;
    }
    await this.queueOnSubmit(recorded);
  }

  /** Queues a run of a submission, if there is one to queue; one the queue refuses is marked failed, not retried. */
  private async queueOnSubmit(recorded: RecordedRun | null): Promise<void> {
    if (!recorded) return;
    try {
      await this.queueJob(recorded);
    } catch (err) {
      // Logged, and the run marked failed, by queueJob: that eval of the submission is done with.
      if (!(err instanceof ServiceUnavailableError)) throw err;
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

  /** Records the submission's judge run, or finds it; null when there is no job to queue for it (its rules run is recorded with the version's read). */
  private async recordOnSubmit(
    manager: EntityManager,
    submission: Submission,
    { version, prompt, environment }: SubmittedVersion,
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
    // One statement, no transaction: the run inserted now, or the one an earlier try of this submission recorded.
    const [run] = (await RECORD_ON_SUBMIT.run(manager, [
      id, prompt.workspaceId, version.id, request.mode, request.mode === 'judge' ? request.provider : null, model, submission.actorId,
    ])) as Array<{
      id: string; workspace_id: string; version_id: string; mode: EvalRunEntity['mode']; provider: EvalRunEntity['provider']; model: string | null;
      status: EvalRunEntity['status'];
    }>;
    // Not visible yet (a concurrent try of the same submission is inserting it, and queues it), or
    // already under way or finished, so it has had its job: queueing it again would score it twice.
    if (!run || run.status !== 'queued') return null;
    return {
      run: { id: run.id, workspaceId: run.workspace_id, versionId: run.version_id, mode: run.mode, provider: run.provider, model: run.model },
      ...evalBody(version), apiKey,
    };
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
