/** Reading the serve endpoint's query: what API.md's "Gateway" section accepts, and nothing else. */
import type { ContentMessage } from '../portable/messages.js';
import { readFillMessages } from '../prompts/messages.js';

/** A version number is a positive integer; PostgreSQL's integer column holds up to MAX_VERSION. */
const VERSION_PARAM = /^[1-9][0-9]*$/;
const MAX_VERSION = 2_147_483_647;

/**
 * `?version=N`: undefined when absent, null when not a positive integer (a 400), else the number;
 * a positive integer above any storable version is Infinity, which no version has (a 404, no lookup).
 */
export function readVersionParam(value: unknown): number | undefined | null {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || !VERSION_PARAM.test(value)) return null;
  if (value.length > 10) return Infinity;
  const n = Number(value);
  return n <= MAX_VERSION ? n : Infinity;
}

export type ServeFormat = 'text' | 'json';

/** `?format=`: text by default, json when asked; anything else (or given twice) is null (a 400). */
export function readFormatParam(value: unknown): ServeFormat | null {
  if (value === undefined || value === 'text') return 'text';
  if (value === 'json') return 'json';
  return null;
}

/** `?vars=` as the list of its items: one item is a string, a repeated one an array. */
export function readVarsParam(value: unknown): readonly string[] {
  if (value === undefined) return [];
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.filter((v): v is string => typeof v === 'string');
  return [];
}

/** A POST body, read: the variables, and the messages that fill a chat prompt's placeholders by name. */
export interface ServeBody {
  variables: Record<string, string>;
  placeholders?: Map<string, ContentMessage[]>;
}

/**
 * A POST body's `variables` (an object whose values are all strings) and `placeholders` (an
 * object of lists of `{role, content}` messages of roles system, user or assistant), else an error
 * message. The body may hold nothing else (API.md: unknown fields are refused).
 */
export function readServeBody(body: unknown): ServeBody | { problem: string } {
  if (body === undefined || body === null) return { variables: {} };
  if (typeof body !== 'object' || Array.isArray(body)) return { problem: 'The body must be a JSON object.' };
  for (const field of Object.keys(body)) {
    if (field !== 'variables' && field !== 'placeholders') return { problem: `Unknown field: ${field}.` };
  }
  const { variables, placeholders } = body as { variables?: unknown; placeholders?: unknown };
  let read: ServeBody = { variables: {} };
  if (variables !== undefined) {
    if (typeof variables !== 'object' || variables === null || Array.isArray(variables)) {
      return { problem: 'variables must be an object of strings.' };
    }
    for (const [name, value] of Object.entries(variables)) {
      if (typeof value !== 'string') return { problem: `variables.${name} must be a string.` };
    }
    read = { variables: variables as Record<string, string> };
  }
  if (placeholders !== undefined) {
    if (typeof placeholders !== 'object' || placeholders === null || Array.isArray(placeholders)) {
      return { problem: 'placeholders must be an object of message lists.' };
    }
    const fills = new Map<string, ContentMessage[]>();
    for (const [name, list] of Object.entries(placeholders)) {
      const messages = readFillMessages(list, `placeholders.${name}`);
      if ('problem' in messages) return messages;
      fills.set(name, messages);
    }
    read.placeholders = fills;
  }
  return read;
}
