import { z } from 'zod';
import { dbId } from './ids.js';

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
  content: z.string(),
  live_from: z.string(),
});
export type LiveSnapshot = z.infer<typeof liveSnapshotSchema>;

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
