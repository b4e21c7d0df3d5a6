import {
  compileMessages, compileTemplate, versionEtag, type CompiledMessages, type CompiledTemplate, type ModelConfig, type PromptMessage, type PromptType,
} from '#domain';
import { JSON_TYPE, SECURITY_LINES } from '../raw-reply.js';
import type { VersionRecord } from './prompt-store.js';

export const TEXT_TYPE = 'text/plain; charset=utf-8';
/** Live answers may be kept by a client but must be revalidated (cheap, with the etag); pinned ones never change. */
export const LIVE_CACHE_CONTROL = 'private, no-cache';
export const PINNED_CACHE_CONTROL = 'private, max-age=31536000, immutable';
export const HIT_LINE = 'x-prompt-cache: HIT\r\n';

/** One precomputed answer of a version in one format, for the request that gives no variables. */
export interface ServedAnswer {
  readonly body: string;
  readonly etag: string;
  /**
   * Every header line of a 200 (type, length, etag, version, cache-control, security), then
   * `x-prompt-cache: HIT`: a fresh hit writes this, its status line and its body, nothing else.
   */
  readonly hitLines: string;
}

/** The header lines of an answer without its x-prompt-cache line (a slice: V8 copies nothing). */
export const linesWithoutCache = (answer: ServedAnswer) => answer.hitLines.slice(0, answer.hitLines.length - HIT_LINE.length);

/**
 * A version ready to serve: compiled once, with both answers (text and JSON) precomputed for the
 * common request that gives no variables (the content as is, every variable unfilled), headers
 * included, so a hit concatenates nothing but its status line. A chat prompt always answers JSON:
 * its `text` answer is its JSON one.
 */
export interface ServedVersion {
  readonly key: string;
  readonly versionId: string;
  readonly versionNum: number;
  /** `x-prompt-version`, as the header's string. */
  readonly versionHeader: string;
  readonly type: PromptType;
  /** Whether it is served as a pinned version (immutable) or as the live one (revalidated). */
  readonly cacheControl: string;
  /** A text prompt's content, compiled; for a chat prompt, an empty template (its messages are in `chat`). */
  readonly compiled: CompiledTemplate;
  /** A chat prompt's messages, compiled; null for a text prompt. */
  readonly chat: CompiledMessages | null;
  readonly config: ModelConfig;
  /** The UTF-16 length of the config as JSON, for the cache's byte count. */
  readonly configUnits: number;
  /** Strings, not Buffers: Node writes a string body in one write with the headers, a Buffer in a second (writev). */
  readonly text: ServedAnswer;
  readonly json: ServedAnswer;
}

/** What a JSON answer says of its version, besides the rendered body. */
export interface JsonAnswerOf {
  key: string;
  versionNum: number;
  type: PromptType;
  config: ModelConfig;
}

/** The JSON answer of every prompt (API.md): content or messages set, the other null. */
export function jsonBodyOf(
  v: JsonAnswerOf, content: string | null, messages: readonly PromptMessage[] | null,
  unfilledVariables: readonly string[], unfilledPlaceholders: readonly string[],
): string {
  return JSON.stringify({
    key: v.key, type: v.type, version: v.versionNum, content, messages, config: v.config,
    unfilled_variables: unfilledVariables, unfilled_placeholders: unfilledPlaceholders,
  });
}

/** The header lines of a 200 but x-prompt-cache, for a body of `type`, a version and a cache-control. */
export function answerLines(type: string, body: string, etag: string, versionHeader: string, cacheControl: string, promptType: PromptType): string {
  return `content-type: ${type}\r\ncontent-length: ${Buffer.byteLength(body)}\r\netag: ${etag}\r\nx-prompt-version: ${versionHeader}\r\n` +
    `x-prompt-type: ${promptType}\r\ncache-control: ${cacheControl}\r\n${SECURITY_LINES}`;
}

function servedAnswer(type: string, body: string, etag: string, versionHeader: string, cacheControl: string, promptType: PromptType): ServedAnswer {
  return { body, etag, hitLines: answerLines(type, body, etag, versionHeader, cacheControl, promptType) + HIT_LINE };
}

const NO_TEMPLATE = compileTemplate('');

/** `pinned`: the version was asked by number (cached for good), not as the live one. */
export function toServedVersion(key: string, record: VersionRecord, pinned = false): ServedVersion {
  const versionHeader = String(record.versionNum);
  const cacheControl = pinned ? PINNED_CACHE_CONTROL : LIVE_CACHE_CONTROL;
  const base = {
    key, versionId: record.versionId, versionNum: record.versionNum, versionHeader, cacheControl, config: record.config,
    configUnits: JSON.stringify(record.config).length,
  };
  const of: JsonAnswerOf = { key, versionNum: record.versionNum, type: record.type, config: record.config };
  if (record.type === 'chat' && record.messages !== null) {
    const chat = compileMessages(record.messages);
    const json = servedAnswer(JSON_TYPE, jsonBodyOf(of, null, record.messages, chat.variables, chat.placeholders),
      versionEtag(record.versionId, 'j'), versionHeader, cacheControl, 'chat');
    return { ...base, type: 'chat', compiled: NO_TEMPLATE, chat, text: json, json };
  }
  const content = record.content ?? '';
  const compiled = compileTemplate(content);
  return {
    ...base,
    type: 'text',
    compiled,
    chat: null,
    text: servedAnswer(TEXT_TYPE, content, versionEtag(record.versionId, 't'), versionHeader, cacheControl, 'text'),
    json: servedAnswer(JSON_TYPE, jsonBodyOf(of, content, null, compiled.variables, []), versionEtag(record.versionId, 'j'), versionHeader, cacheControl, 'text'),
  };
}
