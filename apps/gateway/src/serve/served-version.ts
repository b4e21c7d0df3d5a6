import { compileTemplate, versionEtag, type CompiledTemplate } from '#domain';
import type { VersionRecord } from './prompt-store.js';

/**
 * A version ready to serve: compiled once, with both bodies and their tags precomputed for the
 * common request that gives no variables (the content as is, every variable unfilled).
 */
export interface ServedVersion {
  readonly key: string;
  readonly versionId: string;
  readonly versionNum: number;
  /** `x-prompt-version`, as the header's string. */
  readonly versionHeader: string;
  readonly compiled: CompiledTemplate;
  /** Strings, not Buffers: Node writes a string body in one write with the headers, a Buffer in a second (writev). */
  readonly textBody: string;
  readonly textLength: string;
  readonly textEtag: string;
  readonly jsonBody: string;
  readonly jsonLength: string;
  readonly jsonEtag: string;
}

export function jsonBodyOf(key: string, versionNum: number, content: string, unfilled: readonly string[]): string {
  return JSON.stringify({ key, version: versionNum, content, unfilled_variables: unfilled });
}

export function toServedVersion(key: string, record: VersionRecord): ServedVersion {
  const compiled = compileTemplate(record.content);
  const jsonBody = jsonBodyOf(key, record.versionNum, record.content, compiled.variables);
  return {
    key,
    versionId: record.versionId,
    versionNum: record.versionNum,
    versionHeader: String(record.versionNum),
    compiled,
    textBody: record.content,
    textLength: String(Buffer.byteLength(record.content)),
    textEtag: versionEtag(record.versionId, 't'),
    jsonBody,
    jsonLength: String(Buffer.byteLength(jsonBody)),
    jsonEtag: versionEtag(record.versionId, 'j'),
  };
}
