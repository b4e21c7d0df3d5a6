import { z } from 'zod';
import { judgeModelProblem } from '#domain';
import { PROVIDERS } from './evals.js';
import { dbId } from './ids.js';
import { modelConfigSchema, promptMessagesSchema, promptTypeSchema } from './prompts.js';

const SEALED_KEY = z.string().regex(/^v1\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]+$/);
const contentMessage = z.object({ role: z.enum(['system', 'user', 'assistant']), content: z.string() }).strict();

/** A version as a test run renders it: the body of its type and the config it is answered with. */
export const runVersionSchema = z.object({
  version_id: dbId(),
  type: promptTypeSchema,
  content: z.string().max(1_000_000).nullable(),
  messages: promptMessagesSchema.nullable(),
  config: modelConfigSchema,
});
export type RunVersionPayload = z.infer<typeof runVersionSchema>;

const assertionSchema = z.object({
  type: z.enum(['contains', 'not_contains', 'regex', 'max_chars', 'is_json', 'judge']),
  value: z.union([z.string().max(2000), z.number().int(), z.null()]),
}).strict();

/** A provider and model: the one that answers, or the judge. */
const modelRef = z.object({ provider: z.enum(PROVIDERS), model: z.string().min(1).max(200) }).superRefine((m, ctx) => {
  const problem = judgeModelProblem(m.provider, m.model);
  if (problem) ctx.addIssue({ code: 'custom', path: ['model'], message: problem });
});

/**
 * `test.requests` v1 (registry -> eval-worker): one case of one test run. The worker never reads
 * the database, so the case, the candidate version and the baseline travel in the job. Keys are
 * sealed as eval jobs seal theirs (libs/domain sealSecret), bound to the run's id and
 * `key_expires_at` (evalJobKeyBinding(run_id, key_expires_at)): `sealed_key` for the answering
 * provider, `sealed_judge_key` for the judge's when it is another provider (else null: the judge
 * uses `sealed_key`). `baseline_output` is set when an earlier run of the baseline already answered
 * this case with the same model and config: the worker then asks only for the candidate's answer.
 */
export const testCaseJobSchema = z.object({
  v: z.literal(1),
  run_id: dbId(),
  case_id: dbId(),
  workspace_id: dbId(),
  /** The case's position in the run (name order), 0-based; results come back with it. */
  index: z.number().int().min(0).max(10_000),
  case: z.object({
    name: z.string().min(1).max(200),
    variables: z.record(z.string(), z.string()),
    input: z.string().max(262_144).nullable(),
    placeholders: z.record(z.string(), z.array(contentMessage)),
    assertions: z.array(assertionSchema).max(50),
  }).strict(),
  candidate: runVersionSchema,
  baseline: runVersionSchema.nullable(),
  baseline_output: z.string().max(65_536).nullable(),
  answer: modelRef,
  judge: modelRef,
  sealed_key: SEALED_KEY,
  sealed_judge_key: SEALED_KEY.nullable(),
  key_expires_at: z.string().datetime(),
});
export type TestCaseJob = z.infer<typeof testCaseJobSchema>;
export const TEST_CASE_JOB = 'test.case.v1';

const assertionResultSchema = z.object({
  type: assertionSchema.shape.type,
  value: assertionSchema.shape.value,
  passed: z.boolean(),
  detail: z.string().max(2000).nullable(),
}).strict();

/**
 * `test.results` v1 (eval-worker -> registry): the outcome of one case, applied once per
 * (run_id, case_id) however often it is delivered. `failed` carries `error` (for people, never a
 * key or a provider URL) and no answers; `succeeded` carries both answers (each at most 16 KiB of
 * UTF-8), the assertion results in the case's order and, with a baseline, the verdict.
 */
export const testCaseResultJobSchema = z.discriminatedUnion('status', [
  z.object({
    v: z.literal(1),
    status: z.literal('succeeded'),
    run_id: dbId(),
    case_id: dbId(),
    index: z.number().int().min(0).max(10_000),
    output: z.string().max(16_384 * 4),
    baseline_output: z.string().max(16_384 * 4).nullable(),
    assertions: z.array(assertionResultSchema).max(50),
    verdict: z.enum(['same', 'improved', 'regressed', 'different']).nullable(),
    reason: z.string().max(2000).nullable(),
    started_at: z.string().datetime(),
    finished_at: z.string().datetime(),
  }),
  z.object({
    v: z.literal(1),
    status: z.literal('failed'),
    run_id: dbId(),
    case_id: dbId(),
    index: z.number().int().min(0).max(10_000),
    error: z.string().min(1).max(2000),
    started_at: z.string().datetime(),
    finished_at: z.string().datetime(),
  }),
]);
export type TestCaseResultJob = z.infer<typeof testCaseResultJobSchema>;
export const TEST_CASE_RESULT_JOB = 'test.case_result.v1';

