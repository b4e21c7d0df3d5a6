import { createHash } from 'node:crypto';
import type { PromptBody, PromptFile, PromptMessage } from './prompt-file.js';

/** A JSON value written with sorted keys and no whitespace: equal values give equal text. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (typeof value === 'object' && value !== null) {
    const o = value as Record<string, unknown>;
    return `{${Object.keys(o).filter((k) => o[k] !== undefined).sort().map((k) => `${JSON.stringify(k)}:${canonicalJson(o[k])}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/** What a version holds that a push proposes: the body (content or messages) and the config. */
export interface VersionBody { body: PromptBody; config: Record<string, unknown> }

/** The hash the lock keeps of a version's body and config, to tell a changed file from an unchanged one. */
export function bodyHash(version: VersionBody): string {
  const body = version.body.type === 'text' ? { type: 'text', content: version.body.content } : { type: 'chat', messages: version.body.messages };
  return `sha256:${createHash('sha256').update(canonicalJson({ ...body, config: version.config })).digest('hex')}`;
}

/** A body from an API answer: content for a text prompt, messages for a chat prompt. */
export function bodyOf(type: 'text' | 'chat', answer: { content?: string | null; messages?: unknown }): PromptBody {
  return type === 'text' ? { type, content: answer.content ?? '' } : { type, messages: (answer.messages ?? []) as PromptMessage[] };
}

/** The hash the lock keeps of a whole file as last pulled or pushed (test cases and description too), to tell local edits from a stale copy. */
export function fileHash(file: PromptFile): string {
  return `sha256:${createHash('sha256').update(canonicalJson(file)).digest('hex')}`;
}
