import type { ReferenceObject, SchemaObject } from '@nestjs/swagger';
import { PROVIDERS, WEBHOOK_EVENTS } from '#contracts';
import { PROMPT_KEY_PATTERN, ROLES } from '#domain';

/**
 * The answers of the registry as OpenAPI component schemas, one per view (the `*.view.ts`
 * presenters and the services' answer types). Answers may gain fields (API.md), so no schema here
 * closes its properties; request bodies are closed in registry-openapi.ts.
 */

const VERSION_STATUSES = ['draft', 'pending_review', 'approved', 'rejected', 'archived'] as const;
const EVAL_MODES = ['rules', 'judge'] as const;
const EVAL_STATUSES = ['queued', 'running', 'succeeded', 'failed'] as const;
const DELIVERY_STATUSES = ['pending', 'succeeded', 'failed'] as const;
const TEST_RUN_STATUSES = ['queued', 'running', 'succeeded', 'failed'] as const;
const ASSERTION_TYPES = ['contains', 'not_contains', 'regex', 'max_chars', 'is_json', 'judge'] as const;
const VERDICTS = ['same', 'improved', 'regressed', 'different'] as const;

type Schema = SchemaObject | ReferenceObject;

export const ref = (name: string): ReferenceObject => ({ $ref: `#/components/schemas/${name}` });

const uuid: Schema = { type: 'string', format: 'uuid' };
const nullableUuid: Schema = { ...uuid, nullable: true };
const timestamp: Schema = { type: 'string', format: 'date-time', description: 'ISO-8601 UTC with milliseconds' };
const nullableTimestamp: Schema = { ...timestamp, nullable: true };
const text: Schema = { type: 'string' };
const nullableText: Schema = { type: 'string', nullable: true };
const count: Schema = { type: 'integer', minimum: 0 };
const versionNum: Schema = { type: 'integer', minimum: 1 };
const score: Schema = { type: 'number', minimum: 0, maximum: 10 };
const hash: Schema = { type: 'string', pattern: '^[0-9a-f]{64}$' };

/** An object whose every listed property is always present (null where the view says so). */
function object(properties: Record<string, Schema>, description?: string): SchemaObject {
  return { type: 'object', ...(description ? { description } : {}), required: Object.keys(properties), properties };
}

const role: Schema = { type: 'string', enum: [...ROLES] };
const provider: Schema = { type: 'string', enum: [...PROVIDERS] };
const webhookEvent: Schema = { type: 'string', enum: [...WEBHOOK_EVENTS] };

const promptType: Schema = { type: 'string', enum: ['text', 'chat'], description: 'fixed at creation: text holds content, chat holds messages' };
const message: Schema = {
  type: 'object', required: ['role', 'content'],
  properties: { role: { type: 'string', enum: ['system', 'user', 'assistant'] }, content: { type: 'string', maxLength: 262_144 } },
};
const placeholder: Schema = {
  type: 'object', required: ['role', 'name'],
  properties: { role: { type: 'string', enum: ['placeholder'] }, name: { type: 'string', pattern: '^[A-Za-z0-9_]+$' } },
  description: 'filled with messages (such as the conversation so far) by the application at serve time',
};
const messages: Schema = { type: 'array', items: { oneOf: [message, placeholder] }, minItems: 1, maxItems: 100 };
const modelConfig: Schema = {
  type: 'object', additionalProperties: true,
  description: 'the model settings the version was reviewed with; provider, model, temperature, top_p, max_tokens and stop are checked, other keys kept',
};
const nullable = (schema: Schema, description: string): Schema => ({ ...(schema as SchemaObject), nullable: true, description });

const testRunSummary: Record<string, Schema> = {
  id: uuid,
  version_id: uuid,
  baseline_version_id: nullable(uuid, 'the version answers were compared with; null when none was live and none was named'),
  provider,
  model: text,
  judge_provider: provider,
  judge_model: text,
  status: { type: 'string', enum: [...TEST_RUN_STATUSES] },
  cases_total: count,
  cases_done: count,
  cases_passed: count,
  regressions: { ...(count as SchemaObject), description: 'cases the judge found regressed against the baseline' },
  error: nullableText,
  created_at: timestamp,
  finished_at: nullableTimestamp,
};

const person = (description: string): Schema => ({
  ...object({ id: uuid, email: { type: 'string', format: 'email' }, name: nullableText }),
  nullable: true,
  description,
});

const versionSummary: Record<string, Schema> = {
  id: uuid,
  prompt_id: uuid,
  version_num: versionNum,
  status: { type: 'string', enum: [...VERSION_STATUSES] },
  type: promptType,
  base_version_id: { ...nullableUuid, description: 'the version live when this one was proposed' },
  rollback_of_version_id: { ...nullableUuid, description: 'for a rollback, the version whose content it repeats' },
  commit_message: nullableText,
  proposed_by: { ...nullableUuid, description: 'a user id' },
  approved_by: { ...nullableUuid, description: 'a user id' },
  reviewed_by: { ...nullableUuid, description: 'the user id of who approved or rejected it' },
  proposer: person('who proposed it (proposed_by); null when that account was deleted'),
  reviewer: person('who approved or rejected it (reviewed_by); null before review or when that account was deleted'),
  review_note: nullableText,
  created_at: timestamp,
  submitted_at: nullableTimestamp,
  reviewed_at: nullableTimestamp,
  live_from: nullableTimestamp,
  live_until: nullableTimestamp,
  served_count: count,
  last_served_at: nullableTimestamp,
  last_eval: {
    ...object({ id: uuid, score: { ...score, nullable: true }, mode: { type: 'string', enum: [...EVAL_MODES] }, status: { type: 'string', enum: [...EVAL_STATUSES] } }),
    nullable: true,
  },
};

const RESPONSE_SCHEMAS: Record<string, SchemaObject> = {
  User: object({ id: uuid, email: { type: 'string', format: 'email' }, name: nullableText, created_at: timestamp }),
  Workspace: object({ id: uuid, name: text, is_personal: { type: 'boolean' }, created_at: timestamp }),
  WorkspaceAnswer: object({ workspace: ref('Workspace') }),
  SignupAnswer: object({ user: ref('User'), access_token: { type: 'string', description: 'a JWT for Authorization: Bearer' } }),
  LoginAnswer: object({
    access_token: { type: 'string', description: 'a JWT for Authorization: Bearer' },
    user: ref('User'),
    expires_in: { type: 'integer', minimum: 1, description: 'seconds the token is valid' },
  }),
  AuthOptions: object({
    signup_allowed: { type: 'boolean', description: 'POST /auth/signup is open (else it answers 403)' },
    dev_auth_bypass: { type: 'boolean', description: 'a request without a token acts as the seeded admin (development only)' },
  }),
  Me: object({ user: ref('User'), memberships: { type: 'array', items: object({ workspace: ref('Workspace'), role }) } }),
  Member: object({
    user: object({ id: uuid, email: { type: 'string', format: 'email' }, name: nullableText }),
    role,
    created_at: timestamp,
  }),
  MemberAnswer: object({ member: ref('Member') }),
  Environment: object({
    id: uuid,
    workspace_id: uuid,
    name: { type: 'string', pattern: '^[a-z0-9][a-z0-9_-]{0,62}$' },
    is_protected: { type: 'boolean' },
    require_review: { type: 'boolean', description: 'the approver must be someone other than the proposer' },
    eval_required: { type: 'boolean' },
    eval_pass_threshold: score,
    tests_required: { type: 'boolean', description: 'approval needs a passing test run against the live version' },
    max_regressions: { type: 'integer', minimum: 0, maximum: 1000 },
    judge: { ...object({ provider, model: nullableText }), nullable: true },
    created_at: timestamp,
    updated_at: timestamp,
  }),
  EnvironmentAnswer: object({ environment: ref('Environment') }),
  PromptListItem: object({
    id: uuid,
    key: { type: 'string', pattern: PROMPT_KEY_PATTERN.source },
    type: promptType,
    description: nullableText,
    live_version: { ...object({ id: uuid, version_num: versionNum }), nullable: true },
    versions_count: count,
    pending_count: count,
    updated_at: timestamp,
  }),
  Prompt: object({
    id: uuid,
    key: { type: 'string', pattern: PROMPT_KEY_PATTERN.source },
    type: promptType,
    workspace_id: uuid,
    environment_id: uuid,
    description: nullableText,
    live_version: {
      ...object({
        id: uuid, version_num: versionNum, content: nullable(text, 'a text prompt\'s content; null for chat'),
        messages: nullable(messages, 'a chat prompt\'s messages; null for text'), config: modelConfig, live_from: timestamp,
      }),
      nullable: true,
    },
    created_at: timestamp,
    updated_at: timestamp,
  }),
  VersionSummary: object(versionSummary, 'A version in a list: without content, messages, config and their parents\'.'),
  Version: object({
    ...versionSummary,
    content: nullable(text, 'a text version\'s content; null for chat'),
    messages: nullable(messages, 'a chat version\'s messages; null for text'),
    config: modelConfig,
    parent_content: { ...nullableText, description: 'the base version\'s content' },
    parent_messages: nullable(messages, 'the base version\'s messages'),
    parent_config: nullable(modelConfig, 'the base version\'s config'),
  }),
  VersionAnswer: object({ version: ref('Version') }),
  ReviewQueueItem: object({
    ...versionSummary,
    prompt: object({ id: uuid, key: { type: 'string', pattern: PROMPT_KEY_PATTERN.source }, type: promptType }),
    environment: object({
      id: uuid,
      name: { type: 'string', pattern: '^[a-z0-9][a-z0-9_-]{0,62}$' },
      is_protected: { type: 'boolean' },
      require_review: { type: 'boolean', description: 'the approver must be someone other than the proposer' },
    }),
  }, 'A version pending review (as in a list of versions) with its prompt and environment.'),
  PromptCreated: object({ prompt: ref('Prompt'), version: ref('Version') }),
  VersionDiff: object({
    version_id: uuid,
    version_num: versionNum,
    base_version_id: nullableUuid,
    base_version_num: { ...versionNum, nullable: true },
    lines: { type: 'array', items: object({ op: { type: 'string', enum: ['+', '-', ' '] }, text }) },
    added: count,
    removed: count,
    config_changes: {
      type: 'array',
      description: 'one item per changed leaf of config, sorted by path; the side where the key is absent is null',
      items: object({ path: text, before: { nullable: true, description: 'any JSON value' }, after: { nullable: true, description: 'any JSON value' } }),
    },
  }),
  LiveAt: object({
    version_id: uuid, version_num: versionNum, content: nullable(text, 'null for chat'), messages: nullable(messages, 'null for text'),
    config: modelConfig, live_from: timestamp, live_until: nullableTimestamp,
  }),
  EvalQueued: object({ eval_id: uuid, status: { type: 'string', enum: ['queued'] } }),
  Eval: object({
    id: uuid,
    version_id: uuid,
    mode: { type: 'string', enum: [...EVAL_MODES] },
    provider: { ...provider, nullable: true },
    model: nullableText,
    status: { type: 'string', enum: [...EVAL_STATUSES] },
    score: { ...score, nullable: true },
    dimensions: {
      type: 'array',
      items: {
        ...object({ name: text, score, reason: text }),
        properties: { name: text, score, reason: text, suggestion: { type: 'string', description: 'rules evals: what would score higher' } },
      },
    },
    suggestions: { type: 'array', items: text },
    error: nullableText,
    created_at: timestamp,
    started_at: nullableTimestamp,
    finished_at: nullableTimestamp,
  }),
  TestCase: object({
    id: uuid,
    prompt_id: uuid,
    name: { type: 'string', minLength: 1, maxLength: 200 },
    variables: { type: 'object', additionalProperties: { type: 'string' } },
    input: nullable(text, 'the user message sent after the rendered prompt; null sends none'),
    placeholders: { type: 'object', additionalProperties: { type: 'array', items: message }, description: 'messages filling a chat prompt\'s placeholders' },
    assertions: {
      type: 'array',
      items: object({
        type: { type: 'string', enum: ['contains', 'not_contains', 'regex', 'max_chars', 'is_json', 'judge'] },
        value: { nullable: true, oneOf: [{ type: 'string' }, { type: 'integer', minimum: 1 }], description: 'null for is_json' },
      }),
    },
    created_at: timestamp,
    updated_at: timestamp,
  }),
  TestCaseAnswer: object({ test_case: ref('TestCase') }),
  TestRunQueued: object({ test_run_id: uuid, status: { type: 'string', enum: ['queued'] } }),
  TestRunSummary: object(testRunSummary, 'a test run without its results'),
  TestRun: object({
    ...testRunSummary,
    results: {
      type: 'array',
      description: 'one item per case that has a result, in the case\'s order (name order when the run started)',
      items: object({
        test_case_id: uuid,
        name: text,
        output: nullable(text, 'the answer (at most 16 KiB); null when the case could not be answered'),
        baseline_output: nullable(text, 'the baseline version\'s answer; null without a baseline'),
        assertions: {
          type: 'array',
          description: 'in the case\'s order',
          items: object({
            type: { type: 'string', enum: [...ASSERTION_TYPES] },
            value: { nullable: true, description: 'string, integer (max_chars) or null (is_json)' },
            passed: { type: 'boolean' },
            detail: nullable(text, 'why it failed; for judge, the judge\'s reason'),
          }),
        },
        verdict: { type: 'string', enum: [...VERDICTS], nullable: true, description: 'the answer against the baseline\'s; null without a baseline' },
        reason: nullable(text, 'the judge\'s reason for the verdict'),
        error: nullable(text, 'why the case could not be answered or judged; null when it was'),
      }),
    },
  }),
  ProviderKey: object({ provider, last4: { type: 'string', minLength: 4, maxLength: 4 }, updated_at: timestamp }),
  CreatedApiKey: object({
    id: uuid,
    name: text,
    prefix: text,
    key: { type: 'string', pattern: '^pg_(live|test)_', description: 'shown this once; only its hash is kept' },
    rate_limit_rpm: { type: 'integer', minimum: 1 },
    environment_id: uuid,
    created_at: timestamp,
  }),
  ApiKey: object({
    id: uuid,
    name: text,
    prefix: text,
    environment_id: uuid,
    rate_limit_rpm: { type: 'integer', minimum: 1 },
    created_at: timestamp,
    revoked_at: nullableTimestamp,
    served_count: count,
    last_served_at: nullableTimestamp,
  }),
  CreatedWebhook: object({
    id: uuid,
    name: nullable(text, 'what people call the subscription; null when it was given none'),
    url: text,
    events: { type: 'array', items: webhookEvent },
    secret: { type: 'string', pattern: '^whsec_', description: 'shown this once' },
    created_at: timestamp,
  }),
  Webhook: object({
    id: uuid,
    name: nullable(text, 'what people call the subscription; null when it was given none'),
    url: text,
    events: { type: 'array', items: webhookEvent },
    created_at: timestamp,
    disabled_at: nullableTimestamp,
    disabled_reason: nullableText,
  }),
  Delivery: object({
    id: uuid,
    event: webhookEvent,
    message_id: { type: 'string', description: 'the webhook-id header, the same on every retry' },
    status: { type: 'string', enum: [...DELIVERY_STATUSES] },
    attempts: count,
    response_status: { type: 'integer', nullable: true },
    last_error: nullableText,
    next_attempt_at: nullableTimestamp,
    created_at: timestamp,
    updated_at: timestamp,
  }),
  AuditEntry: object({
    seq: versionNum,
    action: { type: 'string', example: 'version.approved' },
    resource_type: text,
    resource_id: { ...nullableText, description: 'the id of what changed (a provider name for provider_key.*)' },
    actor_email: nullableText,
    extra: { type: 'object', additionalProperties: true },
    prev_hash: hash,
    integrity_hash: hash,
    created_at: timestamp,
  }),
  AuditVerdict: {
    oneOf: [
      object({ ok: { type: 'boolean', enum: [true] }, entries_checked: count, head_hash: hash }),
      object({ ok: { type: 'boolean', enum: [false] }, entries_checked: count, first_bad_seq: versionNum }),
    ],
  },
  Health: object({ status: { type: 'string', enum: ['ok'] }, service: { type: 'string', enum: ['registry'] }, instance: text }),
  Readiness: object({
    status: { type: 'string', enum: ['ready', 'unavailable'] },
    checks: object({ postgres: { type: 'string', enum: ['ok', 'down'] }, redis: { type: 'string', enum: ['ok', 'down'] } }),
  }),
  OpenApiDocument: { type: 'object', description: 'this document', additionalProperties: true },
};

/** Items of a list answer, by the name of their schema; each list answers `{items, next_cursor}`. */
const PAGE_ITEMS = ['Member', 'Environment', 'PromptListItem', 'VersionSummary', 'ReviewQueueItem', 'Eval', 'TestCase', 'TestRunSummary', 'ProviderKey', 'ApiKey', 'Webhook', 'Delivery', 'AuditEntry'] as const;
export type PageItem = (typeof PAGE_ITEMS)[number];
export const pageSchemaName = (item: PageItem) => `${item}Page`;

function pageSchema(item: PageItem): SchemaObject {
  return object({
    items: { type: 'array', items: ref(item) },
    next_cursor: { type: 'string', nullable: true, description: 'pass as ?cursor= for the next page; null on the last page' },
  });
}

/** Every component schema of an answer, pages included. */
export function responseSchemas(): Record<string, SchemaObject> {
  return { ...RESPONSE_SCHEMAS, ...Object.fromEntries(PAGE_ITEMS.map((item) => [pageSchemaName(item), pageSchema(item)])) };
}
