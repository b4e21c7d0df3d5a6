import type { INestApplication } from '@nestjs/common';
import {
  DocumentBuilder, SwaggerModule, type OpenAPIObject, type OperationObject, type ParameterObject, type ReferenceObject,
  type ResponseObject, type SchemaObject,
} from '@nestjs/swagger';
import { PROVIDERS } from '#contracts';
import { PROMPT_KEY_PATTERN } from '#domain';
import { ERROR_CODES, ERROR_CODES_EXTENSION, ERROR_RESPONSE_SCHEMA, type ErrorCode } from './error-response.js';
import { ref, responseSchemas } from './response-schemas.js';

export const OPENAPI_JSON_PATH = '/api/docs-json';

const TAGS: Array<[string, string]> = [
  ['identity', 'Sign up, log in, who am I'],
  ['workspaces', 'Workspaces and their members'],
  ['environments', 'Environments and their review and eval gates'],
  ['prompts', 'Prompts and their versions'],
  ['review', 'Submit, approve, reject, roll back, promote; what was live when'],
  ['evals', 'Rules and judge evaluations of a version'],
  ['test-runs', 'A version answering the prompt\'s test cases, checked and compared with a baseline'],
  ['provider-keys', 'Model provider keys saved for judge evaluations'],
  ['test-cases', 'A prompt\'s test cases: inputs its application sends, and what a good answer satisfies'],
  ['api-keys', 'API keys the gateway serves with'],
  ['webhooks', 'Webhook subscriptions and their deliveries'],
  ['audit', 'The hash-chained audit log'],
  ['health', 'Liveness, readiness and this document'],
];

/** Path parameters that name a resource by id: a UUID, else `400` (common/ids.ts). */
const ID_PARAMS = new Set(['ws', 'env', 'id', 'userId']);
const OTHER_PARAMS: Record<string, SchemaObject> = {
  provider: { type: 'string', enum: [...PROVIDERS] },
  key: { type: 'string', pattern: PROMPT_KEY_PATTERN.source, description: 'a key no prompt can have is 404' },
};

const METHODS_WITH_BODY = new Set(['post', 'put', 'patch']);
const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'patch'] as const;

/**
 * The registry's OpenAPI document: Nest's scan of the controllers and DTOs, completed with what
 * the decorators cannot say there: the answer schemas, each operation's error responses in the
 * one ErrorResponse shape, UUID path ids, and request bodies closed to unknown fields, as the
 * validation pipe refuses them.
 */
export function buildRegistryOpenApiDocument(app: INestApplication): OpenAPIObject {
  const builder = new DocumentBuilder()
    .setTitle('Promptgate registry')
    .setDescription('Management API: identity, workspaces, environments, prompts, reviews, evaluations, API keys, webhooks, audit.')
    .setVersion('1')
    .addServer('{scheme}://{host}', 'A registry; by default http://localhost:3000', {
      scheme: { default: 'http', enum: ['http', 'https'] },
      host: { default: 'localhost:3000', description: 'host and port the registry listens on' },
    })
    .addBearerAuth({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT', description: 'the access_token of signup or login' });
  for (const [name, description] of TAGS) builder.addTag(name, description);
  const document = SwaggerModule.createDocument(app, builder.build());
  document.components = {
    ...document.components,
    schemas: { ...document.components?.schemas, ...responseSchemas(), ErrorResponse: ERROR_RESPONSE_SCHEMA },
  };
  for (const item of Object.values(document.paths)) {
    for (const method of HTTP_METHODS) {
      const operation = item[method];
      if (operation) completeOperation(operation, method);
    }
  }
  closeRequestBodies(document);
  markOptionalBodies(document);
  document.paths[OPENAPI_JSON_PATH] = {
    get: {
      operationId: 'OpenApi_document',
      summary: 'This document',
      description: 'The OpenAPI document of the registry; no authentication. Swagger UI renders it at /api/docs.',
      tags: ['health'],
      security: [],
      responses: {
        200: { description: 'The OpenAPI document of the registry.', content: { 'application/json': { schema: ref('OpenApiDocument') } } },
        ...errorResponses(['request_headers_too_large', 'internal_error']),
      },
    },
  };
  return document;
}

function completeOperation(operation: OperationObject, method: (typeof HTTP_METHODS)[number]): void {
  for (const parameter of (operation.parameters ?? []) as ParameterObject[]) {
    if (parameter.in !== 'path') continue;
    if (ID_PARAMS.has(parameter.name)) parameter.schema = { type: 'string', format: 'uuid' };
    else if (OTHER_PARAMS[parameter.name]) parameter.schema = OTHER_PARAMS[parameter.name];
    else throw new Error(`OpenAPI: path parameter "${parameter.name}" of ${operation.operationId} is neither an id nor a known name`);
  }
  const extensions = operation as OperationObject & Record<string, unknown>;
  const declared = (extensions[ERROR_CODES_EXTENSION] as ErrorCode[] | undefined) ?? [];
  delete extensions[ERROR_CODES_EXTENSION];
  const codes = new Set<ErrorCode>(declared);
  // Public operations (signup, login, probes) carry no security requirement.
  const secured = operation.security !== undefined && operation.security.length > 0;
  if (secured) codes.add('unauthorized');
  if (METHODS_WITH_BODY.has(method)) for (const c of ['validation_failed', 'payload_too_large', 'unsupported_media_type'] as const) codes.add(c);
  codes.add('request_headers_too_large');
  codes.add('internal_error');
  operation.responses = { ...operation.responses, ...errorResponses([...codes]) };
}

/** One response per status, listing its codes in the schema (an enum) and in words. */
export function errorResponses(codes: readonly ErrorCode[]): Record<string, ResponseObject> {
  const byStatus = new Map<number, ErrorCode[]>();
  for (const code of codes) byStatus.set(ERROR_CODES[code].status, [...(byStatus.get(ERROR_CODES[code].status) ?? []), code]);
  const responses: Record<string, ResponseObject> = {};
  for (const [status, list] of [...byStatus].sort(([a], [b]) => a - b)) {
    const schema: SchemaObject = {
      allOf: [
        ref('ErrorResponse'),
        { type: 'object', properties: { error: { type: 'object', properties: { code: { type: 'string', enum: list } } } } },
      ],
    };
    responses[status] = {
      description: list.map((c) => `\`${c}\`: ${ERROR_CODES[c].when}`).join('; '),
      content: { 'application/json': { schema } },
      ...(status === 429 ? { headers: { 'retry-after': { description: 'seconds to wait', schema: { type: 'integer', minimum: 1 } } } } : {}),
    };
  }
  return responses;
}

/** The validation pipe refuses unknown fields (forbidNonWhitelisted): every schema a body reaches says so. */
function closeRequestBodies(document: OpenAPIObject): void {
  const schemas = document.components?.schemas ?? {};
  const closed = new Set<string>();
  const close = (schema: SchemaObject | ReferenceObject | undefined): void => {
    if (!schema) return;
    if ('$ref' in schema) {
      const name = schema.$ref.replace('#/components/schemas/', '');
      if (closed.has(name)) return;
      closed.add(name);
      return close(schemas[name]);
    }
    // Only where the properties are listed: beside allOf, `additionalProperties: false` would refuse every field.
    if (schema.properties) {
      schema.additionalProperties = false;
      for (const property of Object.values(schema.properties ?? {})) close(property);
    }
    for (const part of [...(schema.allOf ?? []), ...(schema.oneOf ?? []), ...(schema.anyOf ?? [])]) close(part);
    if (schema.items) close(schema.items);
  };
  for (const item of Object.values(document.paths)) {
    for (const method of HTTP_METHODS) {
      const body = item[method]?.requestBody;
      if (body && !('$ref' in body)) for (const media of Object.values(body.content)) close(media.schema);
    }
  }
}

/** A missing body validates as `{}` (common/validation.ts): where no field is required, the body may be left out. */
function markOptionalBodies(document: OpenAPIObject): void {
  const schemas = document.components?.schemas ?? {};
  for (const item of Object.values(document.paths)) {
    for (const method of HTTP_METHODS) {
      const body = item[method]?.requestBody;
      if (!body || '$ref' in body) continue;
      const schema = body.content['application/json']?.schema;
      const resolved = schema && '$ref' in schema ? schemas[schema.$ref.replace('#/components/schemas/', '')] : schema;
      if (resolved && !('$ref' in resolved) && (resolved.required ?? []).length === 0) body.required = false;
    }
  }
}
