/**
 * Every error the SDK throws or reports. `status` is the gateway's HTTP status, or `null` when
 * no answer came (network failure, timeout) or the SDK refused the call before sending it.
 * `code` is the gateway's machine code (`invalid_api_key`, `prompt_not_found`, ...) or one of
 * the SDK's own (`invalid_config`, `network_error`, `timeout`, `malformed_answer`).
 */
export class PromptgateError extends Error {
  readonly status: number | null;
  readonly code: string;

  constructor(message: string, options: { status: number | null; code: string; cause?: unknown }) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.status = options.status;
    this.code = options.code;
  }
}

/** Bad constructor options or serve arguments: a programming error, never masked by a fallback. */
export class PromptgateConfigError extends PromptgateError {
  constructor(message: string) {
    super(message, { status: null, code: 'invalid_config' });
  }
}

/** 401: the API key is missing, malformed, unknown or revoked. */
export class PromptgateAuthError extends PromptgateError {}

/** 404: no live version of this key in the API key's environment (`prompt_not_found`), or no such pinned version (`version_not_found`). */
export class PromptgateNotFoundError extends PromptgateError {}

/** 400: the gateway refused the request as invalid. */
export class PromptgateValidationError extends PromptgateError {}

/** 429: over the API key's per-minute limit. */
export class PromptgateRateLimitError extends PromptgateError {
  /** From the gateway's `retry-after` header; `null` when it sent none. */
  readonly retryAfterSeconds: number | null;

  constructor(message: string, options: { status: number; code: string; retryAfterSeconds: number | null }) {
    super(message, options);
    this.retryAfterSeconds = options.retryAfterSeconds;
  }
}

/** The gateway could not be reached, answered 5xx, or answered something that is not a prompt. */
export class PromptgateUnavailableError extends PromptgateError {}

/** No answer within `timeoutMs`. */
export class PromptgateTimeoutError extends PromptgateUnavailableError {}

/** `serve` of a chat prompt, whose answer is a list of messages rather than a string: use `getPrompt`. */
export class PromptgateTypeError extends PromptgateError {
  constructor(message: string) {
    super(message, { status: null, code: 'prompt_type_mismatch' });
  }
}
