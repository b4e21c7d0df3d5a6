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

/** A known key's first characters, this many or more, are redacted too: a model or a cut may echo only part of it. */
export const KEY_PREFIX_REDACTED_FROM = 12;

function redactKeyPrefixes(text: string, key: string): string {
  if (key.length <= KEY_PREFIX_REDACTED_FROM) return text;
  const head = key.slice(0, KEY_PREFIX_REDACTED_FROM);
  let out = '';
  let from = 0;
  for (let at = text.indexOf(head); at >= 0; at = text.indexOf(head, from)) {
    let end = at + head.length;
    while (end < text.length && end - at < key.length && text[end] === key[end - at]) end++;
    out += text.slice(from, at) + REDACTED;
    from = end;
  }
  return out + text.slice(from);
}

export function scrubProviderKeys(text: string, keys: readonly string[] = []): string {
  let out = text;
  for (const key of keys) if (key.length >= 4) out = redactKeyPrefixes(out.split(key).join(REDACTED), key);
  for (const shape of KEY_SHAPES) out = out.replace(shape, (match, queryName?: string) => (typeof queryName === 'string' ? `${queryName}${REDACTED}` : REDACTED));
  return out;
}
