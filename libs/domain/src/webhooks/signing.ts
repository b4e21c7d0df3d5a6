import { createHmac, randomBytes } from 'node:crypto';

/**
 * Standard Webhooks signing (as API.md fixes it): the secret is `whsec_<base64 of 24+ random
 * bytes>`; the signature is `v1,<base64 HMAC-SHA256(key, id + "." + timestamp + "." + body)>`
 * with `key` the base64-decoded part after `whsec_`.
 */
export const WEBHOOK_SECRET_PREFIX = 'whsec_';

export function generateWebhookSecret(bytes = 32): string {
  if (bytes < 24) throw new RangeError('A webhook secret needs at least 24 random bytes.');
  return WEBHOOK_SECRET_PREFIX + randomBytes(bytes).toString('base64');
}

export function signWebhook(secret: string, messageId: string, timestampSeconds: number, body: string): string {
  if (!secret.startsWith(WEBHOOK_SECRET_PREFIX)) throw new RangeError('A webhook secret starts with whsec_.');
  const key = Buffer.from(secret.slice(WEBHOOK_SECRET_PREFIX.length), 'base64');
  const mac = createHmac('sha256', key).update(`${messageId}.${timestampSeconds}.${body}`).digest('base64');
  return `v1,${mac}`;
}

/** The headers of one delivery attempt. */
export function webhookHeaders(secret: string, messageId: string, timestampSeconds: number, body: string): Record<string, string> {
  return {
    'content-type': 'application/json',
    'webhook-id': messageId,
    'webhook-timestamp': String(timestampSeconds),
    'webhook-signature': signWebhook(secret, messageId, timestampSeconds, body),
  };
}
