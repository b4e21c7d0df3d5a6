import type { ApiKeyEntity } from '#persistence';

const iso = (d: Date | null) => (d ? d.toISOString() : null);

/** An API key as lists show it: never the key, only its first characters. */
export function toApiKeyView(k: ApiKeyEntity) {
  return {
    id: k.id,
    name: k.name,
    prefix: k.prefix,
    environment_id: k.environmentId,
    rate_limit_rpm: k.rateLimitRpm,
    created_at: k.createdAt.toISOString(),
    revoked_at: iso(k.revokedAt),
    served_count: k.servedCount,
    last_served_at: iso(k.lastServedAt),
  };
}
export type ApiKeyView = ReturnType<typeof toApiKeyView>;

/** The answer to creation, the one time the key itself is shown. */
export function toCreatedApiKeyView(k: ApiKeyEntity, key: string) {
  return {
    id: k.id,
    name: k.name,
    prefix: k.prefix,
    key,
    rate_limit_rpm: k.rateLimitRpm,
    environment_id: k.environmentId,
    created_at: k.createdAt.toISOString(),
  };
}
export type CreatedApiKeyView = ReturnType<typeof toCreatedApiKeyView>;
