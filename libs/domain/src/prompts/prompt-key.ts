import { ValidationError } from '../errors.js';

/** A prompt key (API.md): lowercase, stable, URL-safe; the same rule as the prompts table CHECK. */
export const PROMPT_KEY_PATTERN = /^[a-z0-9][a-z0-9._-]{0,199}$/;

export function isPromptKey(value: unknown): value is string {
  return typeof value === 'string' && PROMPT_KEY_PATTERN.test(value);
}

/** The key when it is a valid prompt key; else a `400 validation_failed` naming the field. */
export function checkPromptKey(value: unknown): string {
  if (isPromptKey(value)) return value;
  const message = 'key must be 1-200 of a-z 0-9 . _ -, starting with a letter or digit';
  throw new ValidationError(`The request is invalid: key.`, [{ field: 'key', messages: [message] }]);
}
