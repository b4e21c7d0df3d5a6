import { ApiExtension } from '@nestjs/swagger';
import type { SchemaObject } from '@nestjs/swagger';
import { ERROR_RESPONSE_SCHEMA as SHARED_ERROR_RESPONSE_SCHEMA } from '#runtime';

/** Every error answer of both services: `{error: {code, message, details?}}` (API.md, Errors). */
export const ERROR_RESPONSE_SCHEMA = SHARED_ERROR_RESPONSE_SCHEMA as SchemaObject;

/** The codes the registry answers, each with its status and when. */
export const ERROR_CODES = {
  validation_failed: { status: 400, when: 'a field, query or path parameter is wrong (a malformed UUID, limit or cursor), or the body is not JSON' },
  url_not_allowed: { status: 400, when: 'the webhook URL points where the SSRF guard refuses to deliver' },
  unauthorized: { status: 401, when: 'no, malformed, expired or unknown access token; a login mismatch' },
  forbidden: { status: 403, when: 'the role in the workspace is too low (or a refused operation for this server)' },
  self_approval: { status: 403, when: 'approving one\'s own proposal where the environment has require_review' },
  not_found: { status: 404, when: 'no such resource, or one of another workspace' },
  conflict: { status: 409, when: 'the name, key, email or member exists already' },
  last_owner: { status: 409, when: 'removing or demoting the last owner of the workspace' },
  invalid_transition: { status: 409, when: 'the version is not in a status that allows this' },
  stale_base: { status: 409, when: 'the live version changed since this version was proposed: propose again on the new base' },
  not_previously_live: { status: 409, when: 'rolling back to a version that was never live' },
  no_live_version: { status: 409, when: 'promoting a prompt that has no live version' },
  too_many_test_cases: { status: 409, when: 'adding a test case to a prompt that has 200' },
  payload_too_large: { status: 413, when: 'the body is over 1 MiB' },
  unsupported_media_type: { status: 415, when: 'a body with a non-JSON content type' },
  eval_required: { status: 422, when: 'the environment requires a succeeded evaluation and the version has none' },
  eval_below_threshold: { status: 422, when: 'the version\'s counted evaluation scored under the environment\'s threshold' },
  tests_required: { status: 422, when: 'the environment requires tests and the version has no succeeded test run against the version live now' },
  tests_failed: { status: 422, when: 'the version\'s counted test run had a failing case or more regressions than max_regressions' },
  provider_key_missing: { status: 422, when: 'a judge eval or test run without api_key and without a saved key for the provider (or the test judge\'s)' },
  no_test_cases: { status: 422, when: 'a test run of a prompt that has no test cases' },
  model_unspecified: { status: 422, when: 'a test run naming no model, of a version whose config names none (or an environment judge without a model)' },
  provider_key_unreadable: { status: 422, when: 'the saved provider key no longer decrypts under the current ENCRYPTION_KEY: save it again' },
  rate_limited: { status: 429, when: 'too many failed logins for the email or from the address; see retry-after' },
  request_headers_too_large: { status: 431, when: 'the request line and headers are over 16 KiB' },
  internal_error: { status: 500, when: 'a fault on the server\'s side; quote error_id' },
  queue_unavailable: { status: 503, when: 'the eval or test run could not be queued (Redis away); the run is recorded as failed' },
} as const satisfies Record<string, { status: number; when: string }>;

export type ErrorCode = keyof typeof ERROR_CODES;

/** Where the operation's error codes wait, between the decorators and the document's responses. */
export const ERROR_CODES_EXTENSION = 'x-promptgate-error-codes';

/**
 * The error codes an operation answers besides those every operation of its kind does (registry-openapi.ts
 * adds 401 to authenticated ones, 400/413/415 to those that take a body, 431 and 500 to all).
 */
export const ApiErrors = (...codes: ErrorCode[]) => ApiExtension(ERROR_CODES_EXTENSION, codes);

/** A resource named by the path, in a workspace the caller may or may not belong to. */
export const FOUND: ErrorCode[] = ['validation_failed', 'not_found'];
/** As FOUND, where the caller's role must be above viewer. */
export const FOUND_WITH_ROLE: ErrorCode[] = [...FOUND, 'forbidden'];
