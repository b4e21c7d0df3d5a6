import { z } from 'zod';
import { judgeModelProblem } from '#domain';
import { dbId } from './ids.js';
import { promptMessagesSchema } from './prompts.js';

export const PROVIDERS = ['anthropic', 'openai', 'google', 'groq', 'mistral'] as const;
export type Provider = (typeof PROVIDERS)[number];

/**
 * `eval.requests` v1 (registry -> eval-worker). The prompt text travels in the job because the
 * worker never reads the database; for a chat version `content` is its messages rendered as text
 * (libs/domain messagesAsText) and `messages` the messages themselves. A judge job carries the provider key sealed with AES-256-GCM
 * and bound to this job id and `expires_at` (libs/domain sealSecret / evalJobKeyBinding): never
 * the key itself.
 */
export const evalRequestJobSchema = z.discriminatedUnion('mode', [
  z.object({
    v: z.literal(1),
    mode: z.literal('rules'),
    eval_id: dbId(),
    workspace_id: dbId(),
    version_id: dbId(),
    content: z.string().max(1_000_000),
    messages: promptMessagesSchema.optional(),
  }),
  z.object({
    v: z.literal(1),
    mode: z.literal('judge'),
    eval_id: dbId(),
    workspace_id: dbId(),
    version_id: dbId(),
    content: z.string().max(1_000_000),
    messages: promptMessagesSchema.optional(),
    provider: z.enum(PROVIDERS),
    model: z.string().min(1).max(200).nullable(),
    sealed_key: z.string().regex(/^v1\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]+$/),
    key_expires_at: z.string().datetime(),
  }).superRefine((job, ctx) => {
    // Checked here too, so a forged job never sends a name into a provider's URL path.
    const problem = job.model === null ? null : judgeModelProblem(job.provider, job.model);
    if (problem) ctx.addIssue({ code: 'custom', path: ['model'], message: problem });
  }),
]);
export type EvalRequestJob = z.infer<typeof evalRequestJobSchema>;
export const EVAL_REQUEST_JOB = 'eval.request.v1';

const dimensionSchema = z.object({
  name: z.string().min(1).max(100),
  score: z.number().min(0).max(10),
  reason: z.string().max(4000),
  suggestion: z.string().max(4000).nullable().optional(),
});

/**
 * `eval.results` v1 (eval-worker -> registry). `running` is sent when work starts; a final result
 * (`succeeded` or `failed`) is applied once per eval id, however often it is delivered.
 * `error` is a message for people and never carries a key or a provider URL.
 */
export const evalResultJobSchema = z.discriminatedUnion('status', [
  z.object({
    v: z.literal(1),
    status: z.literal('running'),
    eval_id: dbId(),
    started_at: z.string().datetime(),
  }),
  z.object({
    v: z.literal(1),
    status: z.literal('succeeded'),
    eval_id: dbId(),
    model: z.string().max(200).nullable(),
    score: z.number().min(0).max(10),
    dimensions: z.array(dimensionSchema).max(50),
    suggestions: z.array(z.string().max(4000)).max(50),
    started_at: z.string().datetime(),
    finished_at: z.string().datetime(),
  }),
  z.object({
    v: z.literal(1),
    status: z.literal('failed'),
    eval_id: dbId(),
    model: z.string().max(200).nullable(),
    error: z.string().min(1).max(2000),
    started_at: z.string().datetime(),
    finished_at: z.string().datetime(),
  }),
]);
export type EvalResultJob = z.infer<typeof evalResultJobSchema>;
export const EVAL_RESULT_JOB = 'eval.result.v1';
