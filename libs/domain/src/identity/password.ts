import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';

/** Shortest password signup accepts (API.md: a shorter one is `400 validation_failed`). */
export const PASSWORD_MIN_LENGTH = 10;
/** Longest password accepted, so a request cannot make the server hash megabytes. */
export const PASSWORD_MAX_LENGTH = 1024;

/** The scrypt cost of new hashes in development and production: N=2^17, r=8, p=1 (128 MiB, OWASP's recommendation). */
export const PASSWORD_SCRYPT_N = 2 ** 17;
const R = 8;
const P = 1;
const KEY_LENGTH = 64;
const SALT_LENGTH = 16;
/** The most memory one stored hash may make us spend (128 * N * r bytes): refuses hashes that would cost more. */
const MAX_COST_BYTES = 256 * 1024 * 1024;

export interface ScryptParams {
  N: number;
  r: number;
  p: number;
}

/**
 * scrypt computations run at once per process. Each holds 128 MiB (at N=2^17) and one of libuv's
 * four threads, which file, DNS and other crypto work share: two bound the memory to 256 MiB and
 * leave two threads free however many logins arrive. The rest wait their turn in order.
 */
export const MAX_CONCURRENT_HASHES = 2;
let running = 0;
const waiting: Array<() => void> = [];

/** How many scrypt computations run and wait now (for tests and metrics). */
export function passwordHashingLoad(): { running: number; waiting: number } {
  return { running, waiting: waiting.length };
}

async function gated<T>(work: () => Promise<T>): Promise<T> {
  if (running < MAX_CONCURRENT_HASHES) running += 1;
  else await new Promise<void>((resolve) => waiting.push(resolve));
  try {
    return await work();
  } finally {
    // Hand the slot straight to the next in line, so a newcomer cannot overtake it.
    const next = waiting.shift();
    if (next) next();
    else running -= 1;
  }
}

function deriveKey(password: string, salt: Buffer, keyLength: number, { N, r, p }: ScryptParams): Promise<Buffer> {
  // Node refuses when 128 * N * r reaches maxmem exactly, so leave headroom above the working set.
  const options: ScryptOptions = { N, r, p, maxmem: 128 * N * r + 16 * 1024 * 1024 };
  return gated(() => new Promise((resolve, reject) => {
    scrypt(password.normalize('NFKC'), salt, keyLength, options, (err, key) => (err ? reject(err) : resolve(key)));
  }));
}

/**
 * Hashes a password as `scrypt$N$r$p$salt$hash` (salt and hash in base64url): each hash carries its
 * own parameters, so older hashes still verify after the cost is raised. `N` defaults to 2^17.
 */
export async function hashPassword(password: string, N = PASSWORD_SCRYPT_N): Promise<string> {
  const salt = randomBytes(SALT_LENGTH);
  const key = await deriveKey(password, salt, KEY_LENGTH, { N, r: R, p: P });
  return ['scrypt', N, R, P, salt.toString('base64url'), key.toString('base64url')].join('$');
}

interface ParsedHash extends ScryptParams {
  salt: Buffer;
  expected: Buffer;
}

function parseHash(encoded: string): ParsedHash | null {
  const parts = encoded.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return null;
  const [N, r, p] = parts.slice(1, 4).map(Number);
  const salt = Buffer.from(parts[4], 'base64url');
  const expected = Buffer.from(parts[5], 'base64url');
  const sane = Number.isInteger(N) && N > 1 && (N & (N - 1)) === 0
    && Number.isInteger(r) && r >= 1 && r <= 32 && Number.isInteger(p) && p >= 1 && p <= 16
    && 128 * N * r <= MAX_COST_BYTES
    && salt.length >= 8 && expected.length >= 16;
  return sane ? { N, r, p, salt, expected } : null;
}

/** True when `password` matches `encoded`; a malformed hash never matches. Compares in constant time. */
export async function verifyPassword(password: string, encoded: string): Promise<boolean> {
  const parsed = parseHash(encoded);
  if (!parsed) return false;
  const actual = await deriveKey(password, parsed.salt, parsed.expected.length, parsed);
  return timingSafeEqual(actual, parsed.expected);
}

/** True when `encoded` (a hash that just verified) is weaker than a new hash at cost `N` would be: re-hash it then. */
export function passwordNeedsRehash(encoded: string, N = PASSWORD_SCRYPT_N): boolean {
  const parsed = parseHash(encoded);
  return !parsed || parsed.N < N || parsed.r !== R || parsed.p !== P || parsed.expected.length < KEY_LENGTH;
}
