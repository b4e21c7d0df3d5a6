import type { ProviderKeyEntity } from '#persistence';

/** A saved provider key as the API shows it: which provider, its last four characters, when set. Never the key. */
export interface ProviderKeyView {
  provider: string;
  last4: string;
  updated_at: string;
}

export function toProviderKeyView(k: Pick<ProviderKeyEntity, 'provider' | 'last4' | 'updatedAt'>): ProviderKeyView {
  return { provider: k.provider, last4: k.last4, updated_at: k.updatedAt.toISOString() };
}
