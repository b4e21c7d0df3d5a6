import type { FastifyInstance } from 'fastify';
import { PROMPT_KEY_PATTERN } from '#domain';
import { ERROR_RESPONSE_SCHEMA } from '#runtime';
import { JSON_TYPE, SECURITY_HEADERS, writeRaw } from '../raw-reply.js';

/** Where the gateway publishes its own OpenAPI document. */
export const GATEWAY_OPENAPI_PATH = '/openapi.json';

type Json = Record<string, unknown>;

const ref = (name: string): Json => ({ $ref: `#/components/schemas/${name}` });
const header = (description: string, schema: Json = { type: 'string' }): Json => ({ description, schema });

const ERROR_MEANINGS: Record<string, { status: number; when: string }> = {
  validation_failed: { status: 400, when: 'a version that is not a positive integer, a format other than text or json, a value with NUL or an unpaired surrogate, a body that is not a JSON object of string variables and placeholder message lists, a bad limit or cursor' },
  invalid_api_key: { status: 401, when: 'a missing, malformed, unknown or revoked API key' },
  prompt_not_found: { status: 404, when: 'no prompt with this key has a live version in the API key\'s environment' },
  version_not_found: { status: 404, when: 'the pinned version does not exist or was never live' },
  payload_too_large: { status: 413, when: 'a body over 1 MiB' },
  unsupported_media_type: { status: 415, when: 'a body that is not application/json' },
  rendered_too_large: { status: 422, when: 'the prompt with these variables would be over 1 MiB' },
  rate_limited: { status: 429, when: 'over the API key\'s per-minute limit, shared by every gateway; see retry-after' },
  request_headers_too_large: { status: 431, when: 'the request line and headers are over 16 KiB' },
  internal_error: { status: 500, when: 'a fault on the gateway\'s side; quote error_id' },
  service_unavailable: { status: 503, when: 'the prompt is not cached here and neither Redis nor PostgreSQL answers; see retry-after' },
};

const RETRY_AFTER = { 'retry-after': header('seconds to wait', { type: 'integer', minimum: 1 }) };

/** One response per status, in the shared ErrorResponse shape, listing its codes. */
function errors(...codes: string[]): Json {
  const byStatus = new Map<number, string[]>();
  for (const code of codes) byStatus.set(ERROR_MEANINGS[code].status, [...(byStatus.get(ERROR_MEANINGS[code].status) ?? []), code]);
  return Object.fromEntries([...byStatus].sort(([a], [b]) => a - b).map(([status, list]) => [String(status), {
    description: list.map((c) => `\`${c}\`: ${ERROR_MEANINGS[c].when}`).join('; '),
    ...(status === 429 || status === 503 ? { headers: RETRY_AFTER } : {}),
    content: {
      'application/json': {
        schema: {
          allOf: [ref('ErrorResponse'), { type: 'object', properties: { error: { type: 'object', properties: { code: { type: 'string', enum: list } } } } }],
        },
      },
    },
  }]));
}

/** Headers of every `200` and `304` serve answer. */
const SERVE_HEADERS: Json = {
  'x-prompt-version': header('the version number served', { type: 'integer', minimum: 1 }),
  'x-prompt-type': header('text or chat', { type: 'string', enum: ['text', 'chat'] }),
  'x-prompt-cache': header('HIT from this gateway\'s memory, MISS when read from Redis or PostgreSQL', { type: 'string', enum: ['HIT', 'MISS'] }),
  etag: header('of this exact answer (after substitution, in this format; it changes when content, messages or config change): send it back as If-None-Match'),
  'cache-control': header('private, no-cache for the live version; private, max-age=31536000, immutable for a pinned one'),
  'x-prompt-stale': header('1 when the answer may be older than it should be (Redis or every source unreachable)', { type: 'string', enum: ['1'] }),
  warning: header('110 - "Response is Stale", with x-prompt-stale'),
};

const SERVE_ERRORS = [
  'validation_failed', 'invalid_api_key', 'prompt_not_found', 'version_not_found', 'rendered_too_large', 'rate_limited',
  'request_headers_too_large', 'internal_error', 'service_unavailable',
];

const KEY_PARAM: Json = {
  name: 'key', in: 'path', required: true,
  description: 'The prompt key; a key no prompt can have is 404 prompt_not_found.',
  schema: { type: 'string', pattern: PROMPT_KEY_PATTERN.source, maxLength: 200 },
};
const VERSION_PARAM: Json = {
  name: 'version', in: 'query', required: false,
  description: 'Pin a version that was ever live (approved or archived): its answers never change.',
  schema: { type: 'integer', minimum: 1 },
};
const IF_NONE_MATCH: Json = {
  name: 'If-None-Match', in: 'header', required: false,
  description: 'An etag of an earlier answer: 304 without a body when it still matches.',
  schema: { type: 'string' },
};

const NOT_MODIFIED: Json = { description: 'The answer is still the one of the etag sent in If-None-Match.', headers: SERVE_HEADERS };

const COMPONENT_SCHEMAS: Record<string, Json> = {
  ErrorResponse: ERROR_RESPONSE_SCHEMA,
  Message: {
    type: 'object',
    required: ['role', 'content'],
    additionalProperties: false,
    properties: { role: { type: 'string', enum: ['system', 'user', 'assistant'] }, content: { type: 'string' } },
  },
  PromptMessage: {
    description: 'A message, or a placeholder left unfilled: `{role: "placeholder", name}`.',
    oneOf: [
      ref('Message'),
      {
        type: 'object',
        required: ['role', 'name'],
        additionalProperties: false,
        properties: { role: { type: 'string', enum: ['placeholder'] }, name: { type: 'string', pattern: '^[A-Za-z0-9_]+$' } },
      },
    ],
  },
  ServeAnswer: {
    type: 'object',
    required: ['key', 'type', 'version', 'content', 'messages', 'config', 'unfilled_variables', 'unfilled_placeholders'],
    properties: {
      key: { type: 'string', pattern: PROMPT_KEY_PATTERN.source },
      type: { type: 'string', enum: ['text', 'chat'] },
      version: { type: 'integer', minimum: 1, description: 'the version number' },
      content: { type: 'string', nullable: true, description: 'a text prompt\'s content with the variables given substituted; null for a chat prompt' },
      messages: {
        type: 'array', nullable: true, items: ref('PromptMessage'),
        description: 'a chat prompt\'s messages, variables substituted in every one and filled placeholders replaced; null for a text prompt',
      },
      config: { type: 'object', additionalProperties: true, description: 'the model configuration the version was reviewed with ({} when none)' },
      unfilled_variables: { type: 'array', items: { type: 'string' }, description: 'variables the prompt uses that were not given, in order of first appearance' },
      unfilled_placeholders: { type: 'array', items: { type: 'string' }, description: 'placeholders given no messages, in order ([] for text prompts)' },
    },
  },
  ServeBody: {
    type: 'object',
    additionalProperties: false,
    properties: {
      variables: {
        type: 'object',
        additionalProperties: { type: 'string' },
        description: 'name: value; a value is inserted as is and never scanned again',
      },
      placeholders: {
        type: 'object',
        additionalProperties: { type: 'array', items: ref('Message') },
        description: 'name: the messages that replace that placeholder of a chat prompt (inserted as is, never scanned for variables; [] removes it); names the version lacks, and placeholders for a text prompt, are ignored',
      },
    },
  },
  PromptListItem: {
    type: 'object',
    required: ['key', 'type', 'version', 'description', 'variables', 'placeholders', 'updated_at'],
    properties: {
      key: { type: 'string', pattern: PROMPT_KEY_PATTERN.source },
      type: { type: 'string', enum: ['text', 'chat'] },
      version: { type: 'integer', minimum: 1, description: 'the live version number' },
      description: { type: 'string', nullable: true },
      variables: { type: 'array', items: { type: 'string' }, description: 'the variables the live version uses, in order of first appearance' },
      placeholders: { type: 'array', items: { type: 'string' }, description: 'the live version\'s placeholders, in order' },
      updated_at: { type: 'string', format: 'date-time', nullable: true, description: 'when the live version went live' },
    },
  },
  PromptList: {
    type: 'object',
    required: ['items', 'next_cursor'],
    properties: { items: { type: 'array', items: ref('PromptListItem') }, next_cursor: { type: 'string', nullable: true } },
  },
  Health: {
    type: 'object',
    required: ['status', 'service', 'instance'],
    properties: { status: { type: 'string', enum: ['ok'] }, service: { type: 'string', enum: ['gateway'] }, instance: { type: 'string' } },
  },
  Readiness: {
    type: 'object',
    required: ['status', 'checks'],
    properties: {
      status: { type: 'string', enum: ['ready', 'unavailable'] },
      checks: {
        type: 'object',
        required: ['postgres', 'redis'],
        properties: { postgres: { type: 'string', enum: ['ok', 'down'] }, redis: { type: 'string', enum: ['ok', 'down'] } },
      },
    },
  },
  Home: {
    type: 'object',
    required: ['service', 'description', 'routes', 'docs', 'probes'],
    properties: {
      service: { type: 'string', enum: ['gateway'] },
      description: { type: 'string' },
      routes: { type: 'object', additionalProperties: { type: 'string' } },
      docs: { type: 'object', additionalProperties: { type: 'string' } },
      probes: { type: 'array', items: { type: 'string' } },
    },
  },
  OpenApiDocument: { type: 'object', description: 'this document', additionalProperties: true },
};

/**
 * The gateway's OpenAPI document: the serve routes of serve/serve.routes.ts, the probes, the
 * pointer at `/` and this document. A plain object: the serve path is Fastify without Nest's
 * decorators, and one literal is simpler to read against the routes than a generator.
 */
export function gatewayOpenApiDocument(): Json {
  const security = [{ apiKey: [] }];
  return {
    openapi: '3.0.3',
    info: {
      title: 'Promptgate gateway',
      version: '1',
      description: 'The serve API: applications fetch the approved (live) version of a prompt with an API key issued by the registry.',
    },
    servers: [{
      url: '{scheme}://{host}',
      description: 'A gateway; by default http://localhost:8080',
      variables: { scheme: { default: 'http', enum: ['http', 'https'] }, host: { default: 'localhost:8080', description: 'host and port the gateway listens on' } },
    }],
    tags: [
      { name: 'serve', description: 'The live or a pinned version of a prompt' },
      { name: 'health', description: 'Liveness, readiness, the pointer at / and this document' },
    ],
    paths: {
      '/v1/serve/{key}': {
        get: {
          operationId: 'serve',
          summary: 'The live version of a prompt, or a pinned one',
          description: 'A text prompt: text by default (the content alone), JSON with format=json. A chat prompt: always JSON. Variables are `{{name}}` in the content or in every message.',
          tags: ['serve'],
          security,
          parameters: [
            KEY_PARAM,
            {
              name: 'vars', in: 'query', required: false, style: 'form', explode: true,
              description: 'name=value, repeatable; split at the first =; an item without = or with a bad name is ignored.',
              schema: { type: 'array', items: { type: 'string' } },
            },
            { name: 'format', in: 'query', required: false, schema: { type: 'string', enum: ['text', 'json'], default: 'text' } },
            VERSION_PARAM,
            IF_NONE_MATCH,
          ],
          responses: {
            200: {
              description: 'The content, variables substituted.',
              headers: SERVE_HEADERS,
              content: { 'text/plain': { schema: { type: 'string' } }, 'application/json': { schema: ref('ServeAnswer') } },
            },
            304: NOT_MODIFIED,
            ...errors(...SERVE_ERRORS),
          },
        },
        post: {
          operationId: 'serveWithBody',
          summary: 'As GET, with the variables in a JSON body (for long values)',
          description: 'Always answers JSON; format does not apply. Also fills a chat prompt\'s placeholders.',
          tags: ['serve'],
          security,
          parameters: [KEY_PARAM, VERSION_PARAM, IF_NONE_MATCH],
          requestBody: { required: false, content: { 'application/json': { schema: ref('ServeBody') } } },
          responses: {
            200: { description: 'The JSON answer, variables substituted.', headers: SERVE_HEADERS, content: { 'application/json': { schema: ref('ServeAnswer') } } },
            304: NOT_MODIFIED,
            ...errors(...SERVE_ERRORS, 'payload_too_large', 'unsupported_media_type'),
          },
        },
      },
      '/v1/prompts': {
        get: {
          operationId: 'listPrompts',
          summary: 'The prompts with a live version in the API key\'s environment',
          description: 'In key order (byte order), with the variables and placeholders the live version uses: for SDK warm-up, CLIs and tool integrations.',
          tags: ['serve'],
          security,
          parameters: [
            { name: 'limit', in: 'query', required: false, schema: { type: 'integer', minimum: 1, default: 50, maximum: 200 }, description: 'above 200 is read as 200' },
            { name: 'cursor', in: 'query', required: false, schema: { type: 'string' }, description: 'next_cursor of the previous page' },
          ],
          responses: {
            200: { description: 'One page.', content: { 'application/json': { schema: ref('PromptList') } } },
            ...errors('validation_failed', 'invalid_api_key', 'rate_limited', 'request_headers_too_large', 'internal_error', 'service_unavailable'),
          },
        },
      },
      '/health': {
        get: {
          operationId: 'health',
          description: 'The process runs; instance is fixed per start.',
          tags: ['health'],
          responses: { 200: { description: 'Alive.', content: { 'application/json': { schema: ref('Health') } } }, ...errors('request_headers_too_large', 'internal_error') },
        },
      },
      '/ready': {
        get: {
          operationId: 'ready',
          description: 'Whether PostgreSQL and Redis both answer within a second.',
          tags: ['health'],
          responses: {
            200: { description: 'Ready.', content: { 'application/json': { schema: ref('Readiness') } } },
            503: { description: 'PostgreSQL or Redis does not answer: the check that is down.', content: { 'application/json': { schema: ref('Readiness') } } },
            ...errors('request_headers_too_large', 'internal_error'),
          },
        },
      },
      '/': {
        get: {
          operationId: 'home',
          description: 'A pointer for whoever opens the gateway in a browser or with curl: its routes and where they are documented.',
          tags: ['health'],
          responses: { 200: { description: 'The pointer.', content: { 'application/json': { schema: ref('Home') } } }, ...errors('request_headers_too_large', 'internal_error') },
        },
      },
      [GATEWAY_OPENAPI_PATH]: {
        get: {
          operationId: 'openApiDocument',
          description: 'This document.',
          tags: ['health'],
          responses: { 200: { description: 'The OpenAPI document of the gateway.', content: { 'application/json': { schema: ref('OpenApiDocument') } } }, ...errors('request_headers_too_large', 'internal_error') },
        },
      },
    },
    components: {
      securitySchemes: { apiKey: { type: 'http', scheme: 'bearer', description: 'An API key issued by the registry (pg_live_... or pg_test_...); it fixes the environment.' } },
      schemas: COMPONENT_SCHEMAS,
    },
  };
}

/** Serves the document at GET /openapi.json (HEAD too), computed once. */
export function registerGatewayOpenApiRoute(fastify: FastifyInstance): void {
  const body = JSON.stringify(gatewayOpenApiDocument());
  const headers = [...SECURITY_HEADERS, 'content-type', JSON_TYPE, 'content-length', String(Buffer.byteLength(body)), 'cache-control', 'no-cache'];
  fastify.get(GATEWAY_OPENAPI_PATH, (_request, reply) => writeRaw(reply, 200, headers, body));
}
