import { z } from 'zod';

/**
 * A chat version's message as it travels between services (live snapshots, eval jobs): already
 * validated by the registry (libs/domain readMessages); the schema only keeps a forged or
 * half-written message out.
 */
export const promptMessageSchema = z.union([
  z.object({ role: z.enum(['system', 'user', 'assistant']), content: z.string() }).strict(),
  z.object({ role: z.literal('placeholder'), name: z.string().regex(/^[A-Za-z0-9_]+$/) }).strict(),
]);
export const promptMessagesSchema = z.array(promptMessageSchema).min(1).max(100);

/** A version's model configuration: a JSON object (its known keys were checked by the registry). */
export const modelConfigSchema = z.record(z.string(), z.unknown());

export const promptTypeSchema = z.enum(['text', 'chat']);
