import { Inject, Injectable } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { redisNames, type RunVersionPayload, type TestCaseJob, type TestCaseResultJob } from '#contracts';
import type { WorkerConfig } from '#config';
import {
  buildCaseJudgePrompt, CASE_JUDGE_SCHEMA_NAME, caseJudgeAnswerJsonSchema, caseMessages, checkAssertions, evalJobKeyBinding,
  judgeCriteria, needsCaseJudge, openSecret, parseCaseJudgeAnswer, scrubProviderKeys, truncateAnswer, withJudgement,
  type Assertion, type CaseVerdict, type ContentMessage, type RunVersion,
} from '#domain';
import { REDIS, safeRegexTest } from '#runtime';
import { generationParams } from '../judge/generation-call.js';
import { JUDGE_MAX_OUTPUT_TOKENS } from '../judge/judge-models.js';
import { WORKER_CONFIG } from '../worker-config.js';
import { GenerationService } from './generation.service.js';

export const KEY_EXPIRED = 'the provider key expired before the case ran';
export const KEY_UNOPENABLE = 'the provider key could not be opened: it was sealed for another run or with another ENCRYPTION_KEY';
/** How long a run remembers that its provider never answered (its cases are all queued well before). */
const UNREACHABLE_TTL_S = 3600;

class CaseFailure extends Error {}

/**
 * Runs one case of a test run: opens the sealed keys, renders the candidate (and the baseline
 * unless its answer came with the job), asks the answering provider for each answer with the
 * version's own config, checks the assertions, asks the judge (with a baseline or `judge`
 * assertions) and returns the case's result. Expected failures are a `failed` result, never an
 * exception; a provider that never answered marks the run, so its other cases fail at once.
 */
@Injectable()
export class TestCaseRunner {
  private readonly unreachableKey: (runId: string) => string;

  constructor(
    @Inject(WORKER_CONFIG) private readonly config: WorkerConfig,
    @Inject(REDIS) private readonly redis: Redis,
    private readonly generation: GenerationService,
  ) {
    this.unreachableKey = redisNames(config.REDIS_PREFIX).testRunUnreachable;
  }

  async run(job: TestCaseJob): Promise<TestCaseResultJob> {
    const startedAt = new Date().toISOString();
    const base = { v: 1 as const, run_id: job.run_id, case_id: job.case_id, index: job.index, started_at: startedAt };
    try {
      return { ...base, ...(await this.answer(job)), finished_at: new Date().toISOString() };
    } catch (err) {
      if (!(err instanceof CaseFailure)) throw err;
      return { ...base, status: 'failed', error: err.message.slice(0, 2000), finished_at: new Date().toISOString() };
    }
  }

  private async answer(job: TestCaseJob): Promise<Omit<Extract<TestCaseResultJob, { status: 'succeeded' }>, 'v' | 'run_id' | 'case_id' | 'index' | 'started_at' | 'finished_at'>> {
    const given = await this.abandoned(job.run_id);
    if (given) throw new CaseFailure(given);
    if (!(Date.parse(job.key_expires_at) > Date.now())) throw new CaseFailure(KEY_EXPIRED);
    const binding = evalJobKeyBinding(job.run_id, job.key_expires_at);
    let answerKey: string;
    let judgeKey: string;
    try {
      answerKey = openSecret(this.config.ENCRYPTION_KEY, job.sealed_key, binding);
      judgeKey = job.sealed_judge_key === null ? answerKey : openSecret(this.config.ENCRYPTION_KEY, job.sealed_judge_key, binding);
    } catch {
      throw new CaseFailure(KEY_UNOPENABLE);
    }
    // Strings cannot be wiped in JS: the keys live in this call's locals only. An answer that echoes one loses it.
    const keys = [answerKey, judgeKey].filter((k) => k !== '');
    const scrub = (text: string) => scrubProviderKeys(text, keys);

    const candidateMessages = this.render('candidate', job.candidate, job);
    const baselineMessages = job.baseline !== null && job.baseline_output === null ? this.render('baseline', job.baseline, job) : null;
    const [output, askedBaseline] = await Promise.all([
      this.ask(job, 'candidate', job.candidate, candidateMessages, answerKey),
      baselineMessages && job.baseline ? this.ask(job, 'baseline', job.baseline, baselineMessages, answerKey) : Promise.resolve(null),
    ]);
    const candidateOutput = scrub(output);
    const baselineOutput = job.baseline === null ? null : scrub(askedBaseline ?? job.baseline_output ?? '');

    let assertions = checkAssertions(candidateOutput, job.case.assertions as Assertion[], safeRegexTest);
    const criteria = judgeCriteria(job.case.assertions as Assertion[]);
    const hasBaseline = baselineOutput !== null;
    let verdict: CaseVerdict | null = null;
    let reason: string | null = null;
    if (needsCaseJudge(criteria.length, hasBaseline)) {
      const prompt = buildCaseJudgePrompt({ input: job.case.input, output: candidateOutput, baselineOutput, criteria });
      const judged = await this.generation.generate({
        provider: job.judge.provider, model: job.judge.model,
        messages: [{ role: 'system', content: prompt.system }, { role: 'user', content: prompt.user }],
        params: { temperature: 0, maxTokens: JUDGE_MAX_OUTPUT_TOKENS },
        schema: { name: CASE_JUDGE_SCHEMA_NAME, schema: caseJudgeAnswerJsonSchema(criteria.length, hasBaseline) },
        apiKey: judgeKey, context: { run_id: job.run_id, case_id: job.case_id, call: 'judge' },
        abandoned: () => this.abandoned(job.run_id),
      });
      if (!judged.ok) throw await this.failure(job, `the judge: ${judged.error}`, judged.unreachable);
      const parsed = parseCaseJudgeAnswer(judged.text, criteria.length, hasBaseline, scrub);
      if (!parsed.ok) throw new CaseFailure(parsed.error);
      assertions = withJudgement(assertions, parsed.judgement.criteria);
      verdict = parsed.judgement.verdict;
      reason = parsed.judgement.reason;
    }
    return {
      status: 'succeeded',
      output: truncateAnswer(candidateOutput),
      baseline_output: baselineOutput === null ? null : truncateAnswer(baselineOutput),
      assertions: assertions.map((a) => ({ type: a.type, value: a.value, passed: a.passed === true, detail: a.detail === null ? null : a.detail.slice(0, 2000) })),
      verdict,
      reason,
    };
  }

  private render(which: 'candidate' | 'baseline', version: RunVersionPayload, job: TestCaseJob): ContentMessage[] {
    let body: RunVersion;
    if (version.type === 'chat' && version.messages !== null) body = { type: 'chat', messages: version.messages };
    else if (version.type === 'text' && version.content !== null) body = { type: 'text', content: version.content };
    else throw new CaseFailure(`the ${which} version has no ${version.type === 'chat' ? 'messages' : 'content'}`);
    const rendered = caseMessages(body, job.case);
    if (!rendered.ok) throw new CaseFailure(`the ${which} version: ${rendered.problem}`);
    return rendered.messages;
  }

  private async ask(job: TestCaseJob, which: 'candidate' | 'baseline', version: RunVersionPayload, messages: ContentMessage[], apiKey: string): Promise<string> {
    const outcome = await this.generation.generate({
      provider: job.answer.provider, model: job.answer.model, messages,
      params: generationParams(version.config, this.config.TEST_ANSWER_MAX_TOKENS), schema: null,
      apiKey, context: { run_id: job.run_id, case_id: job.case_id, call: which },
      abandoned: () => this.abandoned(job.run_id),
    });
    if (!outcome.ok) throw await this.failure(job, `the ${which}'s answer: ${outcome.error}`, outcome.unreachable);
    return outcome.text;
  }

  private async failure(job: TestCaseJob, message: string, unreachable: boolean): Promise<CaseFailure> {
    if (unreachable) await this.redis.set(this.unreachableKey(job.run_id), message, 'EX', UNREACHABLE_TTL_S, 'NX');
    return new CaseFailure(message);
  }

  /** The message of a case of this run whose provider never answered, if one did: the run's other cases fail with it at once. */
  private async abandoned(runId: string): Promise<string | null> {
    const message = await this.redis.get(this.unreachableKey(runId));
    return message === null ? null : `${message} (another case of this run; not asked again)`;
  }
}
