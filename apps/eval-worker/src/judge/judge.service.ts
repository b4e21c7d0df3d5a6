import { setTimeout as sleep } from 'node:timers/promises';
import { Inject, Injectable } from '@nestjs/common';
import type { Provider } from '#contracts';
import { buildChatJudgeRubric, buildJudgeRubric, isRetryableJudgeFailure, judgeRetryDelayMs, scrubProviderKeys, type PromptMessage } from '#domain';
import type { WorkerConfig } from '#config';
import { AppLogger } from '#runtime';
import { WORKER_CONFIG } from '../worker-config.js';
import { callAnthropicJudge } from './anthropic.judge.js';
import { callGoogleJudge } from './google.judge.js';
import { callGroqJudge } from './groq.judge.js';
import { callMistralJudge } from './mistral.judge.js';
import { callOpenAIJudge } from './openai.judge.js';
import { classifyJudgeError, describeJudgeFailure, providerBaseUrls, type JudgeProviderClient } from './judge-call.js';

const CLIENTS: Record<Provider, JudgeProviderClient> = {
  anthropic: callAnthropicJudge,
  openai: callOpenAIJudge,
  google: callGoogleJudge,
  groq: callGroqJudge,
  mistral: callMistralJudge,
};

export type JudgeOutcome = { ok: true; answer: string; attempts: number } | { ok: false; error: string; attempts: number };

export interface JudgeRequest {
  evalId: string;
  provider: Provider;
  model: string;
  content: string;
  /** A chat version's messages: the judge sees them rendered as the diff renders them. */
  messages?: readonly PromptMessage[];
  apiKey: string;
}

/**
 * Sends the rubric to a provider through its official SDK, retrying rate limits, 5xx, timeouts
 * and connection failures with backoff (the SDKs' own retries are off so there is one policy).
 * Never throws: a provider failure is an outcome with a message that carries no key.
 */
@Injectable()
export class JudgeService {
  private readonly baseUrls: Record<Provider, string | undefined>;

  constructor(
    @Inject(WORKER_CONFIG) private readonly config: WorkerConfig,
    private readonly logger: AppLogger,
  ) {
    this.baseUrls = providerBaseUrls(config);
  }

  async judge(request: JudgeRequest): Promise<JudgeOutcome> {
    const { provider, apiKey } = request;
    const rubric = request.messages === undefined ? buildJudgeRubric(request.content) : buildChatJudgeRubric(request.messages);
    const timeoutMs = this.config.JUDGE_TIMEOUT_MS;
    const maxAttempts = this.config.JUDGE_MAX_ATTEMPTS;
    const policy = { baseMs: this.config.JUDGE_RETRY_BASE_MS, maxMs: this.config.JUDGE_RETRY_MAX_MS };
    for (let attempt = 1; ; attempt++) {
      const timeout = AbortSignal.timeout(timeoutMs);
      try {
        const answer = await CLIENTS[provider]({
          model: request.model, system: rubric.system, user: rubric.user, apiKey,
          baseUrl: this.baseUrls[provider], timeoutMs, signal: timeout,
        });
        return { ok: true, answer, attempts: attempt };
      } catch (err) {
        const failure = classifyJudgeError(err, timeout);
        const error = scrubProviderKeys(describeJudgeFailure(provider, failure, timeoutMs), [apiKey]);
        const retryable = failure.kind !== 'unexpected' && isRetryableJudgeFailure(failure);
        if (!retryable || attempt >= maxAttempts) {
          return { ok: false, error: attempt > 1 ? `${error}, after ${attempt} attempts` : error, attempts: attempt };
        }
        const retryAfterMs = failure.kind === 'status' ? failure.retryAfterMs : null;
        const delayMs = judgeRetryDelayMs(attempt, policy, retryAfterMs, Math.random());
        this.logger.pino.warn({ eval_id: request.evalId, provider, attempt, delay_ms: delayMs, error }, 'judge call failed; retrying');
        await sleep(delayMs);
      }
    }
  }
}
