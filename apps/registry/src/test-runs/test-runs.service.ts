import { Inject, Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import type { Provider, RunVersionPayload, TestCaseJob } from '#contracts';
import {
  evalJobKeyBinding, judgeModelProblem, NotFoundError, sealSecret, ServiceUnavailableError, UnprocessableError, ValidationError,
} from '#domain';
import { EnvironmentEntity, PromptEntity, PromptVersionEntity } from '#persistence';
import { AppLogger } from '#runtime';
import { WorkspaceAccess } from '../access/workspace-access.js';
import { REGISTRY_CONFIG, type RegistryConfig } from '../common/config.js';
import type { Page, PageRequest } from '../common/pagination.js';
import type { AuthenticatedUser } from '../identity/current-user.decorator.js';
import { PromptsService } from '../prompts/prompts.service.js';
import { ProviderKeysService } from '../provider-keys/provider-keys.service.js';
import type { TestRunRequest } from './dto/request-test-run.dto.js';
import { TestCaseQueue } from './test-case-queue.js';
import { TestRunOutcomes } from './test-run-outcomes.js';
import { toTestRunResultView, toTestRunView, type TestRunResultView, type TestRunView } from './test-run.view.js';
import { caseHash, TestRunsRepository, type RunCaseEntry, type RunCaseRow } from './test-runs.repository.js';

export const TEST_RUN_NOT_QUEUED_ERROR = 'The test run could not be queued: the job queue is unavailable. Start it again.';

/**
 * How long the keys sealed into a run's jobs open. A run's jobs may wait behind other runs' (up to
 * 200 cases each) and a stalled run is failed after 2 min plus 2 s per waiting case without a
 * result, so a slow but moving run can outlast the eval's 30 minutes: two hours covers a busy
 * queue, and a job whose key has expired comes back as a failed case, never a hung run.
 */
export const TEST_JOB_KEY_TTL_MS = 2 * 60 * 60 * 1000;

interface ModelRef {
  provider: Provider;
  model: string;
}

/** A recorded run and what its jobs need; the keys live only in memory until they are sealed. */
interface RecordedRun {
  runId: string;
  workspaceId: string;
  cases: RunCaseRow[];
  entries: RunCaseEntry[];
  candidate: RunVersionPayload;
  baseline: RunVersionPayload | null;
  reused: Map<string, string>;
  answer: ModelRef;
  judge: ModelRef;
  apiKey: string;
  judgeKey: string | null;
}

const runVersion = (type: PromptEntity['type'], v: PromptVersionEntity): RunVersionPayload => ({
  version_id: v.id, type, content: v.content, messages: v.messages, config: v.config,
});

const configText = (config: Record<string, unknown>, key: string): string | null =>
  (typeof config[key] === 'string' && (config[key] as string).length > 0 ? (config[key] as string) : null);

function modelUnspecified(message: string): UnprocessableError {
  return new UnprocessableError(message, 'model_unspecified');
}

function checkModelName(ref: ModelRef, field: string): void {
  const problem = judgeModelProblem(ref.provider, ref.model);
  if (problem) throw new ValidationError(`The request is invalid: ${field}.`, [{ field, messages: [problem] }]);
}

/**
 * Test runs: requested here (recorded as queued, one `test.case.v1` job per case on
 * `test.requests`), answered and judged by the eval worker, whose results come back on
 * `test.results` (TestResultsConsumer, TestRunOutcomes).
 */
@Injectable()
export class TestRunsService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly access: WorkspaceAccess,
    private readonly prompts: PromptsService,
    private readonly providerKeys: ProviderKeysService,
    private readonly runs: TestRunsRepository,
    private readonly queue: TestCaseQueue,
    private readonly outcomes: TestRunOutcomes,
    private readonly logger: AppLogger,
    @Inject(REGISTRY_CONFIG) private readonly config: RegistryConfig,
  ) {}

  /**
   * POST /versions/:id/test-runs. Checked in API.md's order: role, a baseline of this prompt,
   * `no_test_cases`, `model_unspecified`, then `provider_key_missing` for the answering provider
   * and for the judge's. The run is recorded as queued, then (after commit, so the worker never
   * sees a run that is not there) its jobs are queued; jobs Redis does not take fail the run and
   * answer `503 queue_unavailable`.
   */
  async requestRun(actor: AuthenticatedUser, versionId: string, request: TestRunRequest): Promise<{ test_run_id: string; status: 'queued' }> {
    const recorded = await this.dataSource.transaction((manager) => this.record(manager, actor, versionId, request));
    await this.queueJobs(recorded);
    return { test_run_id: recorded.runId, status: 'queued' };
  }

  async getRun(userId: string, runId: string): Promise<TestRunView & { results: TestRunResultView[] }> {
    const run = await this.runs.findRun(this.dataSource.manager, runId);
    if (!run || (await this.access.roleOf(userId, run.workspace_id)) === null) throw new NotFoundError('Test run');
    return { ...toTestRunView(run), results: (await this.runs.resultsOf(run.id)).map(toTestRunResultView) };
  }

  async listForVersion(userId: string, versionId: string, page: PageRequest): Promise<Page<TestRunView>> {
    await this.prompts.loadVersionForUser(userId, versionId, 'viewer');
    return this.runs.pageOfVersion(versionId, page, toTestRunView);
  }

  private async record(manager: EntityManager, actor: AuthenticatedUser, versionId: string, request: TestRunRequest): Promise<RecordedRun> {
    const { version, prompt, environment } = await this.prompts.loadVersionForUser(actor.id, versionId, 'editor', manager);
    const baseline = await this.baselineOf(manager, prompt, request.baselineVersionId);
    const cases = await this.runs.casesOf(manager, prompt.id);
    if (cases.length === 0) {
      throw new UnprocessableError('The prompt has no test cases: add some (POST /prompts/:id/test-cases), then start the run.', 'no_test_cases');
    }
    const answer = this.answeringModel(version, request);
    const judge = this.judgeModel(environment, answer);
    const apiKey = request.apiKey ?? (await this.providerKeys.openSavedKey(manager, prompt.workspaceId, answer.provider));
    if (apiKey === null) throw keyMissing(answer.provider);
    let judgeKey: string | null = null;
    if (judge.provider !== answer.provider) {
      judgeKey = await this.providerKeys.openSavedKey(manager, prompt.workspaceId, judge.provider);
      if (judgeKey === null) throw keyMissing(judge.provider, true);
    }
    const entries = cases.map((c): RunCaseEntry => ({ id: c.id, name: c.name, hash: caseHash(c) }));
    const runId = await this.runs.insertRun(manager, {
      workspaceId: prompt.workspaceId, promptId: prompt.id, versionId: version.id, baselineVersionId: baseline?.id ?? null,
      provider: answer.provider, model: answer.model, judgeProvider: judge.provider, judgeModel: judge.model, cases: entries, requestedBy: actor.id,
    });
    const reused = baseline ? await this.runs.reusableBaselineOutputs(manager, entries, baseline.id, answer) : new Map<string, string>();
    return {
      runId, workspaceId: prompt.workspaceId, cases, entries, reused, answer, judge, apiKey, judgeKey,
      candidate: runVersion(prompt.type, version), baseline: baseline ? runVersion(prompt.type, baseline) : null,
    };
  }

  /** The request's baseline (a version of the same prompt, else `400`), else the live version, else none. */
  private async baselineOf(manager: EntityManager, prompt: PromptEntity, requested: string | null): Promise<PromptVersionEntity | null> {
    const id = requested ?? prompt.liveVersionId;
    if (id === null) return null;
    const baseline = await manager.findOneBy(PromptVersionEntity, { id });
    if (!baseline || baseline.promptId !== prompt.id) {
      throw new ValidationError('The request is invalid: baseline_version_id.', [
        { field: 'baseline_version_id', messages: ['baseline_version_id must be a version of the same prompt'] },
      ]);
    }
    return baseline;
  }

  /** The request's provider and model, else the version's config.provider and config.model. */
  private answeringModel(version: PromptVersionEntity, request: TestRunRequest): ModelRef {
    const configProvider = configText(version.config, 'provider') as Provider | null;
    const provider = request.provider ?? configProvider;
    const model = request.model ?? (provider !== null && provider === configProvider ? configText(version.config, 'model') : null);
    if (provider === null || model === null) {
      throw modelUnspecified(
        'No model to answer with: send provider and model, or set config.provider and config.model on the version.');
    }
    const ref = { provider, model };
    checkModelName(ref, 'model');
    return ref;
  }

  /** The environment's judge when it has one, else the run's own provider and model. */
  private judgeModel(environment: EnvironmentEntity, answer: ModelRef): ModelRef {
    if (!environment.judgeProvider) return answer;
    const model = environment.judgeModel ?? (environment.judgeProvider === answer.provider ? answer.model : null);
    if (model === null) {
      throw modelUnspecified(
        `The environment's judge (${environment.judgeProvider}) names no model: set judge_model on the environment (PATCH /environments/:env).`);
    }
    const ref = { provider: environment.judgeProvider, model };
    checkModelName(ref, 'judge_model');
    return ref;
  }

  private async queueJobs(run: RecordedRun): Promise<void> {
    const expiresAt = new Date(Date.now() + TEST_JOB_KEY_TTL_MS).toISOString();
    const binding = evalJobKeyBinding(run.runId, expiresAt);
    const sealedKey = sealSecret(this.config.ENCRYPTION_KEY, run.apiKey, binding);
    const sealedJudgeKey = run.judgeKey === null ? null : sealSecret(this.config.ENCRYPTION_KEY, run.judgeKey, binding);
    const jobs = run.cases.map((c, index): TestCaseJob => ({
      v: 1, run_id: run.runId, case_id: c.id, workspace_id: run.workspaceId, index,
      case: { name: c.name, variables: c.variables, input: c.input, placeholders: c.placeholders, assertions: c.assertions },
      candidate: run.candidate, baseline: run.baseline, baseline_output: run.baseline ? run.reused.get(c.id) ?? null : null,
      answer: run.answer, judge: run.judge, sealed_key: sealedKey, sealed_judge_key: sealedJudgeKey, key_expires_at: expiresAt,
    }));
    try {
      await this.queue.addAll(jobs);
    } catch (err) {
      // Only the error's message: the jobs (and their sealed keys) stay out of the log.
      this.logger.pino.warn({ test_run_id: run.runId, err: { message: (err as Error).message } }, 'test case jobs not queued; run marked failed');
      await this.outcomes.fail(run.runId, TEST_RUN_NOT_QUEUED_ERROR);
      throw new ServiceUnavailableError(TEST_RUN_NOT_QUEUED_ERROR, 'queue_unavailable');
    }
  }
}

function keyMissing(provider: Provider, judge = false): UnprocessableError {
  return new UnprocessableError(
    judge
      ? `No API key for ${provider}, the environment's judge: save one for the workspace (PUT /workspaces/:ws/provider-keys/${provider}).`
      : `No API key for ${provider}: send api_key, or save one for the workspace.`,
    'provider_key_missing',
  );
}
