import type { ApiKeyKind } from './api-key.js';

/** A protected environment serves production traffic, so its keys say `live`; every other gets `test` keys. */
export function apiKeyKindFor(environment: { isProtected: boolean }): ApiKeyKind {
  return environment.isProtected ? 'live' : 'test';
}

export const MIN_RATE_LIMIT_RPM = 1;
export const MAX_RATE_LIMIT_RPM = 1_000_000;
export const DEFAULT_RATE_LIMIT_RPM = 600;
