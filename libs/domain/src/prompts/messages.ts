import { ValidationError } from '../errors.js';
import {
  isPlaceholder, MESSAGE_ROLES, PROMPT_TYPES, type ContentMessage, type MessageRole, type PromptMessage, type PromptType,
} from '../portable/messages.js';
import { MESSAGE_CONTENT_MAX_BYTES, overUtf8Bytes, PROMPT_CONTENT_MAX_BYTES } from '../versions/content-limit.js';

/** API.md: a chat version holds 1 to 100 messages. */
export const MAX_MESSAGES = 100;
const PLACEHOLDER_NAME = /^[A-Za-z0-9_]+$/;

/** `400 validation_failed` whose message and details name the field at fault. */
export function invalid(field: string, message: string): ValidationError {
  return new ValidationError(`The request is invalid: ${field} ${message}.`, [{ field, messages: [`${field} ${message}`] }]);
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

function checkFields(message: Record<string, unknown>, field: string, allowed: readonly string[]): void {
  for (const key of Object.keys(message)) {
    if (!allowed.includes(key)) throw invalid(`${field}.${key}`, `is not a field of a ${message.role === 'placeholder' ? 'placeholder' : 'message'} (allowed: ${allowed.join(', ')})`);
  }
}

function readContent(value: unknown, field: string): string {
  if (typeof value !== 'string') throw invalid(field, 'must be a string');
  if (overUtf8Bytes(value, MESSAGE_CONTENT_MAX_BYTES)) {
    throw invalid(field, `must be at most ${MESSAGE_CONTENT_MAX_BYTES} bytes (UTF-8)`);
  }
  return value;
}

/**
 * A chat version's `messages` as API.md fixes them: 1 to 100; each `{role, content}` with role
 * system, user or assistant and a string content (empty allowed, at most 256 KiB of UTF-8), or
 * `{role: "placeholder", name}` with a name of [A-Za-z0-9_] unique in the version; no other field.
 * Every violation is `400 validation_failed` naming the field (`messages[2].role`).
 */
export function readMessages(value: unknown, field = 'messages'): PromptMessage[] {
  if (!Array.isArray(value)) throw invalid(field, 'must be a list of messages');
  if (value.length < 1) throw invalid(field, 'must hold at least 1 message');
  if (value.length > MAX_MESSAGES) throw invalid(field, `must hold at most ${MAX_MESSAGES} messages`);
  const names = new Set<string>();
  return value.map((item: unknown, i): PromptMessage => {
    const at = `${field}[${i}]`;
    if (!isObject(item)) throw invalid(at, 'must be an object {role, content} or {role: "placeholder", name}');
    const role = item.role;
    if (role === 'placeholder') {
      checkFields(item, at, ['role', 'name']);
      const name = item.name;
      if (typeof name !== 'string' || !PLACEHOLDER_NAME.test(name)) throw invalid(`${at}.name`, 'must be a name of letters, digits and _');
      if (names.has(name)) throw invalid(`${at}.name`, `repeats the placeholder name "${name}": names must be unique`);
      names.add(name);
      return { role, name };
    }
    if (typeof role !== 'string' || !(MESSAGE_ROLES as readonly string[]).includes(role)) {
      throw invalid(`${at}.role`, 'must be one of system, user, assistant, placeholder');
    }
    checkFields(item, at, ['role', 'content']);
    return { role: role as MessageRole, content: readContent(item.content, `${at}.content`) };
  });
}

/**
 * Messages an application fills a placeholder with at serve time: `{role, content}` with role
 * system, user or assistant; anything else is refused (the gateway's 400).
 */
export function readFillMessages(value: unknown, field: string): ContentMessage[] | { problem: string } {
  if (!Array.isArray(value)) return { problem: `${field} must be a list of messages.` };
  const out: ContentMessage[] = [];
  for (let i = 0; i < value.length; i++) {
    const item: unknown = value[i];
    const at = `${field}[${i}]`;
    if (!isObject(item)) return { problem: `${at} must be an object {role, content}.` };
    if (typeof item.role !== 'string' || !(MESSAGE_ROLES as readonly string[]).includes(item.role)) {
      return { problem: `${at}.role must be one of system, user, assistant.` };
    }
    for (const key of Object.keys(item)) {
      if (key !== 'role' && key !== 'content') return { problem: `${at}.${key} is not a field of a message.` };
    }
    if (typeof item.content !== 'string') return { problem: `${at}.content must be a string.` };
    out.push({ role: item.role as MessageRole, content: item.content });
  }
  return out;
}

/** A version's body as proposed: exactly one of `content` (text) and `messages` (chat). */
export type PromptBody = { type: 'text'; content: string } | { type: 'chat'; messages: PromptMessage[] };

/** `type` at creation: absent means text. */
export function readPromptType(value: unknown): PromptType {
  if (value === undefined || value === null) return 'text';
  if (typeof value !== 'string' || !(PROMPT_TYPES as readonly string[]).includes(value)) throw invalid('type', 'must be text or chat');
  return value as PromptType;
}

/**
 * The body of a new version of a prompt of `type`: `content` for text, `messages` for chat; the
 * other one, both, or neither is `400` (a null counts as absent).
 */
export function readPromptBody(type: PromptType, input: { content?: unknown; messages?: unknown }): PromptBody {
  const hasContent = input.content !== undefined && input.content !== null;
  const hasMessages = input.messages !== undefined && input.messages !== null;
  if (type === 'text') {
    if (hasMessages) throw invalid('messages', 'is for chat prompts; a text prompt takes content');
    if (!hasContent) throw invalid('content', 'is required for a text prompt');
    if (typeof input.content !== 'string' || input.content.length === 0) throw invalid('content', 'must be a non-empty string');
    const content = input.content;
    if (overUtf8Bytes(content, PROMPT_CONTENT_MAX_BYTES)) {
      throw invalid('content', `must be at most ${PROMPT_CONTENT_MAX_BYTES} bytes (UTF-8)`);
    }
    return { type, content };
  }
  if (hasContent) throw invalid('content', 'is for text prompts; a chat prompt takes messages');
  if (!hasMessages) throw invalid('messages', 'is required for a chat prompt');
  return { type, messages: readMessages(input.messages) };
}

/**
 * A chat version as text, the rendering its diff and its evaluations read (API.md): each message is
 * a line `[role]` (a placeholder `[placeholder:name]`) followed by the lines of its content; an
 * empty content adds no line.
 */
export function messagesAsText(messages: readonly PromptMessage[]): string {
  const lines: string[] = [];
  for (const message of messages) {
    if (isPlaceholder(message)) {
      lines.push(`[placeholder:${message.name}]`);
      continue;
    }
    lines.push(`[${message.role}]`);
    const content = message.content;
    // A trailing newline ends the content's last line; it does not start an empty one (as in a text diff).
    if (content !== '') lines.push(content.endsWith('\r\n') ? content.slice(0, -2) : content.endsWith('\n') ? content.slice(0, -1) : content);
  }
  return lines.join('\n');
}
