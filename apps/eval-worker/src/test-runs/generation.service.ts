import { setTimeout as sleep } from 'node:timers/promises';
import { Inject, Injectable } from '@nestjs/common';
import type { Provider } from '#contracts';
import type { WorkerConfig } from '#config';
import { isRetryableJudgeFailure, judgeRetryDelayMs, scrubProviderKeys, type ContentMessage } from '#domain';
import { AppLogger } from '#runtime';
import { generateWithAnthropic } from '../judge/anthropic.generation.js';
import { generateWithGoogle } from '../judge/google.generation.js';
import { generateWithGroq } from '../judge/groq.generation.js';
import { generateWithMistral } from '../judge/mistral.generation.js';
import { generateWithOpenAI } from '../judge/openai.generation.js';
import type { AnswerSchema, GenerationClient, GenerationParams } from '../judge/generation-call.js';
import { classifyJudgeError, describeJudgeFailure, providerBaseUrls } from '../judge/judge-call.js';
import { WORKER_CONFIG } from '../worker-config.js';

const CLIENTS: Record<Provider, GenerationClient> = {
  anthropic: generateWithAnthropic,
  openai: generateWithOpenAI,
  google: generateWithGoogle,
  groq: generateWithGroq,
  mistral: generateWithMistral,
};

export interface GenerationRequest {
  provider: Provider;
  model: string;
  messages: readonly ContentMessage[];
  params: GenerationParams;
  schema: AnswerSchema | null;
  apiKey: string;
  /** For the log lines of retries. */
  context: Record<string, unknown>;
  /** Asked before each retry: a message when the run already gave up on its provider, to stop at once. */
  abandoned?: () => Promise<string | null>;
}

/**
 * `unreachable`: the provider never answered (timeouts, connection failures) on every attempt; the
 * run's other cases then fail at once rather than wait the same way.
 */
export type GenerationOutcome = { ok: true; text: string } | { ok: false; error: string; unreachable: boolean };

/**
 * Asks a provider for an answer through its official SDK (SDK retries off), retrying rate limits
 * (honouring retry-after), 5xx, timeouts and connection failures with backoff, TEST_CALL_MAX_ATTEMPTS
 * calls of TEST_CALL_TIMEOUT_MS at most. Never throws: a failure is an outcome whose message carries no key.
 */
@Injectable()
export class GenerationService {
  private readonly baseUrls: Record<Provider, string | undefined>;

  constructor(
    @Inject(WORKER_CONFIG) private readonly config: WorkerConfig,
    private readonly logger: AppLogger,
  ) {
    this.baseUrls = providerBaseUrls(config);
  }

  async generate(request: GenerationRequest): Promise<GenerationOutcome> {
    const { provider, apiKey } = request;
    const timeoutMs = this.config.TEST_CALL_TIMEOUT_MS;
    const maxAttempts = this.config.TEST_CALL_MAX_ATTEMPTS;
    const policy = { baseMs: this.config.JUDGE_RETRY_BASE_MS, maxMs: this.config.JUDGE_RETRY_MAX_MS };
    let neverAnswered = true;
    for (let attempt = 1; ; attempt++) {
      const timeout = AbortSignal.timeout(timeoutMs);
      try {
        const text = await CLIENTS[provider]({
          model: request.model, messages: request.messages, params: request.params, schema: request.schema,
          apiKey, baseUrl: this.baseUrls[provider], timeoutMs, signal: timeout,
        });
        return { ok: true, text };
      } catch (err) {
        const failure = classifyJudgeError(err, timeout);
        if (failure.kind !== 'timeout' && failure.kind !== 'connection') neverAnswered = false;
        const error = scrubProviderKeys(describeJudgeFailure(provider, failure, timeoutMs), [apiKey]);
        const retryable = failure.kind !== 'unexpected' && isRetryableJudgeFailure(failure);
        const failed = (): GenerationOutcome => ({
          ok: false, error: attempt > 1 ? `${error}, after ${attempt} attempts` : error, unreachable: retryable && neverAnswered,
        });
        if (!retryable || attempt >= maxAttempts) return failed();
        const given = await request.abandoned?.();
        if (given) return { ok: false, error: given, unreachable: false };
        const retryAfterMs = failure.kind === 'status' ? failure.retryAfterMs : null;
        const delayMs = judgeRetryDelayMs(attempt, policy, retryAfterMs, Math.random());
        this.logger.pino.warn({ ...request.context, provider, attempt, delay_ms: delayMs, error }, 'provider call failed; retrying');
        await sleep(delayMs);
      }
    }
  }
}
