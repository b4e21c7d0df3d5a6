import { lineDiff, type DiffLine } from '../portable/line-diff.js';
import type { PromptBody, PromptMessage } from './prompt-file.js';

/** One changed leaf of a config, as the API's diff has them. */
export interface ConfigChange { path: string; before: unknown; after: unknown }

/**
 * A file against the live version, in the API's diff format (`GET /versions/:id/diff`):
 * `base_version_num` is the live version's number (null when none is live).
 */
export interface FileDiff {
  base_version_num: number | null;
  lines: DiffLine[];
  added: number;
  removed: number;
  config_changes: ConfigChange[];
}

/**
 * A chat prompt as the API's diff reads it: each message a line `[role]` (a placeholder
 * `[placeholder:name]`) then the lines of its content (an empty content adds no line). The same
 * rendering as libs/domain's messagesAsText; a property test checks they agree.
 */
export function messagesAsText(messages: readonly PromptMessage[]): string {
  const lines: string[] = [];
  for (const message of messages) {
    if (message.role === 'placeholder') {
      lines.push(`[placeholder:${message.name}]`);
      continue;
    }
    lines.push(`[${message.role}]`);
    const content = message.content;
    if (content !== '') lines.push(content.endsWith('\r\n') ? content.slice(0, -2) : content.endsWith('\n') ? content.slice(0, -1) : content);
  }
  return lines.join('\n');
}

export const bodyText = (body: PromptBody | null) => (body === null ? '' : body.type === 'text' ? body.content : messagesAsText(body.messages));

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (isObject(value)) return `{${Object.keys(value).sort().map((k) => `${JSON.stringify(k)}:${canonical(value[k])}`).join(',')}}`;
  return JSON.stringify(value) ?? 'undefined';
}

/**
 * `config_changes` as the API computes them: one item per changed leaf, sorted by path; objects
 * are walked (an absent side is an empty object when the other is a non-empty object), anything
 * else is compared whole; the absent side is null. A property test checks it against libs/domain.
 */
export function configChanges(before: Record<string, unknown> | null | undefined, after: Record<string, unknown> | null | undefined): ConfigChange[] {
  const changes: ConfigChange[] = [];
  const walk = (path: string, b: unknown, a: unknown) => {
    const bObject = isObject(b);
    const aObject = isObject(a);
    const walkable = (bObject && aObject) ||
      (bObject && a === undefined && Object.keys(b).length > 0) ||
      (aObject && b === undefined && Object.keys(a).length > 0);
    if (walkable) {
      const bo = (bObject ? b : {}) as Record<string, unknown>;
      const ao = (aObject ? a : {}) as Record<string, unknown>;
      for (const key of new Set([...Object.keys(bo), ...Object.keys(ao)])) walk(path === '' ? key : `${path}.${key}`, bo[key], ao[key]);
      return;
    }
    if (canonical(b) !== canonical(a)) changes.push({ path, before: b === undefined ? null : b, after: a === undefined ? null : a });
  };
  walk('', before ?? {}, after ?? {});
  return changes.sort((x, y) => (x.path < y.path ? -1 : x.path > y.path ? 1 : 0));
}

export interface Side { version_num: number; body: PromptBody; config: Record<string, unknown> }

/** The file (`after`) against the live version (`live`, null when none is live). */
export function diffFile(live: Side | null, after: { body: PromptBody; config: Record<string, unknown> }): FileDiff {
  return {
    base_version_num: live?.version_num ?? null,
    ...lineDiff(bodyText(live?.body ?? null), bodyText(after.body)),
    config_changes: configChanges(live?.config ?? {}, after.config),
  };
}

export const hasChanges = (diff: FileDiff) => diff.added > 0 || diff.removed > 0 || diff.config_changes.length > 0;

export interface Colours { enabled: boolean }
const paint = (on: boolean, code: string, text: string) => (on ? `\u001b[${code}m${text}\u001b[0m` : text);

/**
 * The diff for a person: a header, hunks of the changed lines with up to `context` unchanged lines
 * around them (`@@ line N @@`), then the config changes. Red for removed, green for added, only when
 * `colour` (a terminal without NO_COLOR).
 */
export function renderDiff(file: string, diff: FileDiff, colour: boolean, context = 3): string {
  const out: string[] = [];
  const live = diff.base_version_num === null ? 'no live version' : `live v${diff.base_version_num}`;
  out.push(paint(colour, '1', `diff ${file} (${live})`));
  out.push(paint(colour, '1', `--- ${live}`), paint(colour, '1', `+++ ${file}`));
  const keep = diff.lines.map(() => false);
  diff.lines.forEach((line, i) => {
    if (line.op === ' ') return;
    for (let j = Math.max(0, i - context); j <= Math.min(diff.lines.length - 1, i + context); j++) keep[j] = true;
  });
  let newLine = 0;
  let inHunk = false;
  diff.lines.forEach((line, i) => {
    if (line.op !== '-') newLine += 1;
    if (!keep[i]) {
      inHunk = false;
      return;
    }
    if (!inHunk) out.push(paint(colour, '36', `@@ line ${Math.max(newLine, 1)} @@`));
    inHunk = true;
    out.push(line.op === '+' ? paint(colour, '32', `+${line.text}`) : line.op === '-' ? paint(colour, '31', `-${line.text}`) : ` ${line.text}`);
  });
  for (const change of diff.config_changes) {
    out.push(paint(colour, '33', `config.${change.path}: ${JSON.stringify(change.before)} -> ${JSON.stringify(change.after)}`));
  }
  return out.join('\n');
}
