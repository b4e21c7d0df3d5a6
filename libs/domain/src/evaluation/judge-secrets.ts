/**
 * Removes provider keys from text that leaves the worker (error messages, logs, results): the
 * exact keys in hand, and anything shaped like a provider key or a bearer token or a URL query
 * carrying a key, in case a provider or SDK echoed one we did not know about.
 */
const REDACTED = '[redacted]';
const KEY_SHAPES = [
  /\b(?:sk|gsk|xai|pk|rk)[-_][A-Za-z0-9_-]{12,}/g,
  /\bAIza[A-Za-z0-9_-]{20,}/g,
  /\bBearer\s+[A-Za-z0-9._~+/=-]{8,}/gi,
  /([?&](?:key|api_key|apikey|access_token|token)=)[^&\s#"']+/gi,
];

export function scrubProviderKeys(text: string, keys: readonly string[] = []): string {
  let out = text;
  for (const key of keys) if (key.length >= 4) out = out.split(key).join(REDACTED);
  for (const shape of KEY_SHAPES) out = out.replace(shape, (match, queryName?: string) => (typeof queryName === 'string' ? `${queryName}${REDACTED}` : REDACTED));
  return out;
}
