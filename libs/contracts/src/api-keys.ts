import { z } from 'zod';
import { dbId } from './ids.js';

/**
 * What a gateway needs to know of an API key, cached in Redis under the key's hash by the
 * registry (on creation, and marked revoked on revocation) so that gateways rarely ask PostgreSQL.
 */
export const apiKeySnapshotSchema = z.object({
  v: z.literal(1),
  id: dbId(),
  workspace_id: dbId(),
  environment_id: dbId(),
  rate_limit_rpm: z.number().int().positive(),
  revoked: z.boolean(),
});
export type ApiKeySnapshot = z.infer<typeof apiKeySnapshotSchema>;

export function parseApiKeySnapshot(raw: string): ApiKeySnapshot | null {
  try {
    const r = apiKeySnapshotSchema.safeParse(JSON.parse(raw));
    return r.success ? r.data : null;
  } catch {
    return null;
  }
}
