import { ValidationError } from '#domain';
import type { HttpRequest as Request, HttpResponse as Response, NextFunction } from './http.js';

/** How deep a request body may nest: the top value is level 1, every object or array inside adds one. */
export const MAX_INPUT_DEPTH = 32;

/** Keys that name an object's prototype machinery: never a field of ours, so always unknown fields. */
const PROTOTYPE_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

export interface InputProblem {
  field: string;
  message: string;
}

/** A high surrogate without its low half, or a low one without its high half. */
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
const UNPRINTABLE = new RegExp(`\u0000|${LONE_SURROGATE.source}`, 'g');

/** A key made printable for a field path: NUL and lone surrogates written as `\uXXXX`. */
function printable(text: string): string {
  return text.replace(UNPRINTABLE, (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

function textProblem(text: string): string | null {
  if (text.includes('\u0000')) return 'must not contain NUL (U+0000) characters';
  if (LONE_SURROGATE.test(text)) return 'must be well-formed Unicode (no lone surrogates)';
  return null;
}

const join = (parent: string, key: string) => (parent ? `${parent}.${printable(key)}` : printable(key));

/**
 * The first part of a parsed JSON value (or query) that no column can hold or no field of ours
 * can be: NUL or lone surrogates in a string or key (PostgreSQL refuses both in text and jsonb),
 * a prototype key, a non-finite number (`1e400` parses as Infinity) or nesting deeper than
 * MAX_INPUT_DEPTH. Walks with its own stack, so no input can overflow the call stack.
 */
export function findInputProblem(value: unknown, root = ''): InputProblem | null {
  const stack: Array<{ value: unknown; field: string; depth: number }> = [{ value, field: root, depth: 1 }];
  while (stack.length > 0) {
    const item = stack.pop() as { value: unknown; field: string; depth: number };
    const v = item.value;
    const name = item.field || 'body';
    if (typeof v === 'string') {
      const problem = textProblem(v);
      if (problem) return { field: name, message: `${name} ${problem}` };
    } else if (typeof v === 'number') {
      if (!Number.isFinite(v)) return { field: name, message: `${name} is out of range` };
    } else if (typeof v === 'object' && v !== null) {
      if (item.depth > MAX_INPUT_DEPTH) return { field: name, message: `${name} nests deeper than ${MAX_INPUT_DEPTH} levels` };
      if (Array.isArray(v)) {
        for (let i = v.length - 1; i >= 0; i--) stack.push({ value: v[i], field: join(item.field, String(i)), depth: item.depth + 1 });
      } else {
        const keys = Object.keys(v);
        for (let i = keys.length - 1; i >= 0; i--) {
          const key = keys[i];
          const field = join(item.field, key);
          const problem = textProblem(key);
          if (problem) return { field, message: `the key ${field} ${problem}` };
          if (PROTOTYPE_KEYS.has(key)) return { field, message: `property ${field} should not exist` };
          stack.push({ value: (v as Record<string, unknown>)[key], field, depth: item.depth + 1 });
        }
      }
    }
  }
  return null;
}

/** The problem as the API's `400 validation_failed`, naming the field. */
export function inputProblemError(problem: InputProblem): ValidationError {
  return new ValidationError(`The request is invalid: ${problem.field}.`, [{ field: problem.field, messages: [problem.message] }]);
}

/**
 * The one request-level check of parsed input, run after the JSON parser and before routing:
 * a body or query that fails findInputProblem is `400 validation_failed` before any DTO
 * transformation, service or query sees it. Path parameters are checked by the validation pipe.
 */
export function refuseUnsafeInput(req: Request, _res: Response, next: NextFunction): void {
  const problem = findInputProblem(req.query) ?? (req.body === undefined ? null : findInputProblem(req.body));
  next(problem ? inputProblemError(problem) : undefined);
}
