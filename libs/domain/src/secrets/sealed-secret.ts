import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

/**
 * Secrets at rest and in queued jobs (provider keys, bring-your-own keys, webhook secrets) are
 * sealed with AES-256-GCM: a fresh 12-byte nonce each time, and additional data naming what the
 * secret is for (a job id and expiry, a workspace and provider), so a sealed value copied to
 * another place does not open there. Format: `v1.<nonce>.<ciphertext>.<tag>`, base64url parts.
 */
const VERSION = 'v1';

export class SealedSecretError extends Error {
  constructor(message = 'The sealed secret could not be opened.') {
    super(message);
    this.name = 'SealedSecretError';
  }
}

function checkKey(key: Buffer): void {
  if (key.length !== 32) throw new SealedSecretError('The encryption key must be 32 bytes.');
}

export function sealSecret(key: Buffer, plaintext: string, additionalData: string): string {
  checkKey(key);
  const nonce = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, nonce);
  cipher.setAAD(Buffer.from(additionalData, 'utf8'));
  const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return [VERSION, nonce.toString('base64url'), ciphertext.toString('base64url'), cipher.getAuthTag().toString('base64url')].join('.');
}

/** Opens a sealed secret; any tampering, a wrong key or different additional data is refused. */
export function openSecret(key: Buffer, sealed: string, additionalData: string): string {
  checkKey(key);
  const parts = sealed.split('.');
  if (parts.length !== 4 || parts[0] !== VERSION) throw new SealedSecretError('Unknown sealed secret format.');
  const [, nonce, ciphertext, tag] = parts.map((p) => Buffer.from(p, 'base64url'));
  if (nonce.length !== 12 || tag.length !== 16) throw new SealedSecretError('Unknown sealed secret format.');
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, nonce);
    decipher.setAAD(Buffer.from(additionalData, 'utf8'));
    decipher.setAuthTag(tag);
    return Buffer.concat([decipher.update(ciphertext), decipher.final()]).toString('utf8');
  } catch {
    throw new SealedSecretError();
  }
}

/** The additional data binding a key to one eval job until its expiry. */
export function evalJobKeyBinding(jobId: string, expiresAt: string): string {
  return `promptgate:eval-job:${jobId}:${expiresAt}`;
}
/** The additional data binding a saved provider key to its workspace and provider. */
export function providerKeyBinding(workspaceId: string, provider: string): string {
  return `promptgate:provider-key:${workspaceId}:${provider}`;
}
/** The additional data binding a webhook secret to its subscription. */
export function webhookSecretBinding(webhookId: string): string {
  return `promptgate:webhook:${webhookId}`;
}

/** The last four characters, the only part of a key ever shown again. */
export function lastFour(secret: string): string {
  return secret.length <= 4 ? '' : secret.slice(-4);
}
