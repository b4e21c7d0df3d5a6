import { Webhook } from 'standardwebhooks';
import { decideDelivery, parseRetryAfter, type AttemptResult } from './delivery-outcome.js';
import { generateWebhookSecret, signWebhook, webhookHeaders } from './signing.js';

const SCHEDULE = [5, 30, 120, 600, 3600, 14400];

describe('webhook signing', () => {
  it('makes secrets of 24+ random bytes with the whsec_ prefix', () => {
    const s = generateWebhookSecret();
    expect(s).toMatch(/^whsec_[A-Za-z0-9+/]+=*$/);
    expect(Buffer.from(s.slice(6), 'base64').length).toBeGreaterThanOrEqual(24);
    expect(() => generateWebhookSecret(16)).toThrow(RangeError);
  });

  it('signs as the standardwebhooks package verifies, and a tampered body or old timestamp fails', () => {
    const secret = generateWebhookSecret();
    const body = JSON.stringify({ type: 'version.approved', timestamp: '2026-01-01T00:00:00.000Z', data: { k: 'v' } });
    const ts = Math.floor(Date.now() / 1000);
    const wh = new Webhook(secret);
    expect(wh.verify(body, webhookHeaders(secret, 'msg_1', ts, body))).toEqual(JSON.parse(body));
    expect(() => wh.verify(`${body} `, webhookHeaders(secret, 'msg_1', ts, body))).toThrow();
    const old = ts - 3600;
    expect(() => wh.verify(body, webhookHeaders(secret, 'msg_1', old, body))).toThrow();
  });

  it('matches a fixed vector', () => {
    const secret = `whsec_${Buffer.alloc(24, 1).toString('base64')}`;
    expect(signWebhook(secret, 'msg_x', 1700000000, '{}')).toBe(signWebhook(secret, 'msg_x', 1700000000, '{}'));
    expect(signWebhook(secret, 'msg_x', 1700000000, '{}')).not.toBe(signWebhook(secret, 'msg_y', 1700000000, '{}'));
  });
});

describe('delivery outcome', () => {
  const r = (status: number, retryAfterSeconds?: number): AttemptResult => ({ kind: 'response', status, retryAfterSeconds });
  it.each([
    [r(200), 1, { action: 'succeeded' }],
    [r(204), 3, { action: 'succeeded' }],
    [r(500), 1, { action: 'retry', delaySeconds: 5 }],
    [r(503), 2, { action: 'retry', delaySeconds: 30 }],
    [r(429, 90), 2, { action: 'retry', delaySeconds: 90 }],
    [r(429, 999999), 1, { action: 'retry', delaySeconds: 14400 }],
    [{ kind: 'timeout' } as AttemptResult, 1, { action: 'retry', delaySeconds: 5 }],
    [{ kind: 'network_error' } as AttemptResult, 6, { action: 'retry', delaySeconds: 14400 }],
    [r(500), 7, { action: 'failed', reason: 'answered 500; retries exhausted after 7 attempts' }],
    [r(410), 1, { action: 'disable', reason: 'the endpoint answered 410 Gone' }],
    [r(301), 1, { action: 'failed', reason: 'answered 301: redirects are not followed' }],
    [r(302), 1, { action: 'failed', reason: 'answered 302: redirects are not followed' }],
    [r(400), 1, { action: 'failed', reason: 'answered 400' }],
    [r(404), 1, { action: 'failed', reason: 'answered 404' }],
    [{ kind: 'refused_address' } as AttemptResult, 1, { action: 'failed', reason: 'the destination address is not allowed (SSRF guard)' }],
  ])('%j on attempt %i -> %j', (result, attempt, expected) => {
    expect(decideDelivery(result, attempt, SCHEDULE)).toEqual(expected);
  });

  it('reads retry-after as seconds or an HTTP date', () => {
    const now = new Date('2026-01-01T00:00:00Z');
    expect(parseRetryAfter('120', now)).toBe(120);
    expect(parseRetryAfter('Thu, 01 Jan 2026 00:01:00 GMT', now)).toBe(60);
    expect(parseRetryAfter('soon', now)).toBeNull();
    expect(parseRetryAfter(undefined, now)).toBeNull();
  });
});
