import { compileTemplate, versionEtag, type CompiledTemplate } from '#domain';
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
 * included, so a hit concatenates nothing but its status line.
 */
export interface ServedVersion {
  readonly key: string;
  readonly versionId: string;
  readonly versionNum: number;
  /** `x-prompt-version`, as the header's string. */
  readonly versionHeader: string;
  /** Whether it is served as a pinned version (immutable) or as the live one (revalidated). */
  readonly cacheControl: string;
  readonly compiled: CompiledTemplate;
  /** Strings, not Buffers: Node writes a string body in one write with the headers, a Buffer in a second (writev). */
  readonly text: ServedAnswer;
  readonly json: ServedAnswer;
}

export function jsonBodyOf(key: string, versionNum: number, content: string, unfilled: readonly string[]): string {
  return JSON.stringify({ key, version: versionNum, content, unfilled_variables: unfilled });
}

/** The header lines of a 200 but x-prompt-cache, for a body of `type`, a version and a cache-control. */
export function answerLines(type: string, body: string, etag: string, versionHeader: string, cacheControl: string): string {
  return `content-type: ${type}\r\ncontent-length: ${Buffer.byteLength(body)}\r\netag: ${etag}\r\nx-prompt-version: ${versionHeader}\r\n` +
    `cache-control: ${cacheControl}\r\n${SECURITY_LINES}`;
}

function servedAnswer(type: string, body: string, etag: string, versionHeader: string, cacheControl: string): ServedAnswer {
  return { body, etag, hitLines: answerLines(type, body, etag, versionHeader, cacheControl) + HIT_LINE };
}

/** `pinned`: the version was asked by number (cached for good), not as the live one. */
export function toServedVersion(key: string, record: VersionRecord, pinned = false): ServedVersion {
  const compiled = compileTemplate(record.content);
  const versionHeader = String(record.versionNum);
  const cacheControl = pinned ? PINNED_CACHE_CONTROL : LIVE_CACHE_CONTROL;
  return {
    key,
    versionId: record.versionId,
    versionNum: record.versionNum,
    versionHeader,
    cacheControl,
    compiled,
    text: servedAnswer(TEXT_TYPE, record.content, versionEtag(record.versionId, 't'), versionHeader, cacheControl),
    json: servedAnswer(JSON_TYPE, jsonBodyOf(key, record.versionNum, record.content, compiled.variables), versionEtag(record.versionId, 'j'), versionHeader, cacheControl),
  };
}
