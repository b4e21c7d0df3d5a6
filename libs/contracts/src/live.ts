import { z } from 'zod';
import { dbId } from './ids.js';
import { modelConfigSchema, promptMessagesSchema, promptTypeSchema } from './prompts.js';

/**
 * The live snapshot of one prompt in one environment, written by the registry to Redis on every
 * approval, quick-approval and rollback, and read by the gateways on a cache miss.
 */
export const liveSnapshotSchema = z.object({
  v: z.literal(1),
  prompt_id: dbId(),
  environment_id: dbId(),
  key: z.string(),
  version_id: dbId(),
  version_num: z.number().int().positive(),
  /** Absent in snapshots written before chat prompts: those are text prompts with config `{}`. */
  type: promptTypeSchema.default('text'),
  /** The text prompt's content; null for a chat prompt. */
  content: z.string().nullable(),
  /** The chat prompt's messages; null (or absent) for a text prompt. */
  messages: promptMessagesSchema.nullable().default(null),
  config: modelConfigSchema.default({}),
  live_from: z.string(),
}).superRefine((snap, ctx) => {
  if (snap.type === 'text' && (snap.content === null || snap.messages !== null)) ctx.addIssue({ code: 'custom', path: ['content'], message: 'a text snapshot holds content only' });
  if (snap.type === 'chat' && (snap.messages === null || snap.content !== null)) ctx.addIssue({ code: 'custom', path: ['messages'], message: 'a chat snapshot holds messages only' });
});
export type LiveSnapshot = z.infer<typeof liveSnapshotSchema>;
/** A snapshot as written: type, messages and config may be left out (a text prompt with config {}). */
export type LiveSnapshotInput = z.input<typeof liveSnapshotSchema>;

/**
 * Published on the live channel after the change commits; every gateway evicts what it names.
 * `prompt.live`: a prompt's live version changed. `api_key.revoked`: refuse that key at once.
 */
export const liveMessageSchema = z.discriminatedUnion('type', [
  z.object({
    v: z.literal(1),
    type: z.literal('prompt.live'),
    environment_id: dbId(),
    key: z.string(),
    version_num: z.number().int().positive(),
  }),
  z.object({
    v: z.literal(1),
    type: z.literal('api_key.revoked'),
    api_key_id: dbId(),
    key_hash: z.string(),
  }),
]);
export type LiveMessage = z.infer<typeof liveMessageSchema>;

/** Parses a channel message; null for anything malformed (a gateway ignores it rather than crash). */
export function parseLiveMessage(raw: string): LiveMessage | null {
  try {
    const r = liveMessageSchema.safeParse(JSON.parse(raw));
    return r.success ? r.data : null;
  } catch {
    return null;
  }
}

export function parseLiveSnapshot(raw: string): LiveSnapshot | null {
  try {
    const r = liveSnapshotSchema.safeParse(JSON.parse(raw));
    return r.success ? r.data : null;
  } catch {
    return null;
  }
}
