import { lineDiff, type LineDiff } from '../../../../libs/domain/src/versions/line-diff.js';
import { messagesAsText } from '../../../../libs/domain/src/prompts/messages.js';
import type { PromptMessage } from '../../../../libs/domain/src/portable/messages.js';

export type { PromptMessage };

/** A message in the editor, with a key that stays with it when messages are moved. */
export type EditedMessage = PromptMessage & { uid: string };

let next = 0;
export const withUid = (message: PromptMessage): EditedMessage => ({ ...message, uid: `m${++next}` });
export function withoutUid(edited: EditedMessage): PromptMessage {
  return edited.role === 'placeholder' ? { role: 'placeholder', name: edited.name } : { role: edited.role, content: edited.content };
}

/** Moves the message at `from` one place up (-1) or down (+1); out of range changes nothing. */
export function moveMessage<T>(list: readonly T[], from: number, by: -1 | 1): T[] {
  const to = from + by;
  if (from < 0 || from >= list.length || to < 0 || to >= list.length) return [...list];
  const copy = [...list];
  [copy[from], copy[to]] = [copy[to], copy[from]];
  return copy;
}

/**
 * The diff a proposal will have against the live version, computed in the browser with the
 * registry's own line diff and chat rendering (libs/domain), so the preview matches
 * GET /versions/:id/diff once saved.
 */
export function previewDiff(
  live: { content?: string | null; messages?: readonly PromptMessage[] | null } | null,
  proposed: { content?: string; messages?: readonly PromptMessage[] },
): LineDiff {
  const asText = (v: { content?: string | null; messages?: readonly PromptMessage[] | null } | null) =>
    v === null ? '' : v.messages ? messagesAsText(v.messages) : (v.content ?? '');
  return lineDiff(asText(live), asText(proposed));
}
