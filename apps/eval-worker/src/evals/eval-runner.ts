import { Inject, Injectable } from '@nestjs/common';
import type { EvalRequestJob, EvalResultJob } from '#contracts';
import type { WorkerConfig } from '#config';
import { evalJobKeyBinding, openSecret, parseJudgeAnswer, scoreChatRules, scorePromptRules, scrubProviderKeys } from '#domain';
import { DEFAULT_JUDGE_MODELS } from '../judge/judge-models.js';
import { JudgeService } from '../judge/judge.service.js';
import { WORKER_CONFIG } from '../worker-config.js';

export type FinalEvalResult = Extract<EvalResultJob, { status: 'succeeded' | 'failed' }>;
type JudgeEvalJob = Extract<EvalRequestJob, { mode: 'judge' }>;

export const KEY_EXPIRED = 'the provider key expired before the eval ran';
export const KEY_UNOPENABLE = 'the provider key could not be opened: it was sealed for another eval or with another ENCRYPTION_KEY';

/** Computes one eval's final result. Expected failures (bad key, provider refusal, bad answer) are results, not exceptions. */
@Injectable()
export class EvalRunner {
  constructor(
    @Inject(WORKER_CONFIG) private readonly config: WorkerConfig,
    private readonly judge: JudgeService,
  ) {}

  async run(job: EvalRequestJob, jobId: string, startedAt: string): Promise<FinalEvalResult> {
    if (job.mode === 'rules') {
      // A chat version is scored on its messages: a role in a system message and placeholders count.
      const rules = job.messages === undefined ? scorePromptRules(job.content) : scoreChatRules(job.messages);
      return {
        v: 1, status: 'succeeded', eval_id: job.eval_id, model: null, score: rules.score,
        dimensions: rules.dimensions.map(({ name, score, reason, suggestion }) => ({ name, score, reason, suggestion })),
        suggestions: rules.suggestions, started_at: startedAt, finished_at: new Date().toISOString(),
      };
    }
    return this.runJudge(job, jobId, startedAt);
  }

  private async runJudge(job: JudgeEvalJob, jobId: string, startedAt: string): Promise<FinalEvalResult> {
    const model = job.model ?? DEFAULT_JUDGE_MODELS[job.provider];
    const failed = (error: string): FinalEvalResult => ({
      v: 1, status: 'failed', eval_id: job.eval_id, model, error, started_at: startedAt, finished_at: new Date().toISOString(),
    });
    if (!(Date.parse(job.key_expires_at) > Date.now())) return failed(KEY_EXPIRED);

    let apiKey: string;
    try {
      apiKey = openSecret(this.config.ENCRYPTION_KEY, job.sealed_key, evalJobKeyBinding(jobId, job.key_expires_at));
    } catch {
      return failed(KEY_UNOPENABLE);
    }
    // Strings cannot be wiped in JS: the key lives in this call's locals only, collected once it returns.
    const outcome = await this.judge.judge({ evalId: job.eval_id, provider: job.provider, model, content: job.content, messages: job.messages, apiKey });
    if (!outcome.ok) return failed(outcome.error);
    const keys = apiKey ? [apiKey] : [];
    // The parser redacts the whole answer before it quotes any of it, and every reason and suggestion it keeps.
    const parsed = parseJudgeAnswer(outcome.answer, { redact: (text) => scrubProviderKeys(text, keys) });
    if (!parsed.ok) return failed(parsed.error);
    const { score, dimensions, suggestions } = parsed.evaluation;
    return {
      v: 1, status: 'succeeded', eval_id: job.eval_id, model, score, dimensions, suggestions,
      started_at: startedAt, finished_at: new Date().toISOString(),
    };
  }
}
