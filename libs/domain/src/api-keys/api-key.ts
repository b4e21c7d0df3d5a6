import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * Gateway API keys: `pg_live_` (protected environments) or `pg_test_`, then 32 base62 characters
 * of randomness (~190 bits), then a 6-character checksum of everything before it, so a mistyped
 * or truncated key is refused before any lookup. Only the SHA-256 of a key is ever stored.
 */
export type ApiKeyKind = 'live' | 'test';

const ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const SECRET_LENGTH = 32;
const CHECKSUM_LENGTH = 6;
const FORMAT = /^pg_(live|test)_([0-9A-Za-z]{32})([0-9A-Za-z]{6})$/;
/** How much of a key a listing shows: the kind and four characters of the secret. */
export const API_KEY_PREFIX_LENGTH = 12;

function base62(bytes: Buffer, length: number): string {
  let out = '';
  for (const b of bytes) {
    // 248 = 4 * 62: rejecting the top bytes keeps every character equally likely.
    if (b < 248) out += ALPHABET[b % 62];
    if (out.length === length) break;
  }
  return out;
}

function checksum(body: string): string {
  const digest = createHash('sha256').update(body).digest();
  let out = '';
  for (let i = 0; i < CHECKSUM_LENGTH; i++) out += ALPHABET[digest[i] % 62];
  return out;
}

export function hashApiKey(key: string): string {
  return createHash('sha256').update(key).digest('hex');
}

export interface NewApiKey {
  key: string;
  prefix: string;
  hash: string;
}

export function generateApiKey(kind: ApiKeyKind, random: (n: number) => Buffer = randomBytes): NewApiKey {
  let secret = '';
  while (secret.length < SECRET_LENGTH) secret += base62(random(48), SECRET_LENGTH - secret.length);
  const body = `pg_${kind}_${secret}`;
  const key = body + checksum(body);
  return { key, prefix: key.slice(0, API_KEY_PREFIX_LENGTH), hash: hashApiKey(key) };
}

/** The kind of a well-formed key with a good checksum, else null (refuse it without a lookup). */
export function checkApiKeyFormat(key: string): ApiKeyKind | null {
  const m = FORMAT.exec(key);
  if (!m) return null;
  const body = key.slice(0, key.length - CHECKSUM_LENGTH);
  return checksum(body) === m[3] ? (m[1] as ApiKeyKind) : null;
}

/** Compares two hex hashes in constant time. */
export function sameKeyHash(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  return timingSafeEqual(Buffer.from(a, 'hex'), Buffer.from(b, 'hex'));
}
