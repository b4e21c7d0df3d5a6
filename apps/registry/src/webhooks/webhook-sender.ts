import http from 'node:http';
import https from 'node:https';
import { isIP, type LookupFunction } from 'node:net';
import { checkDeliveryAddress, parseRetryAfter, type AttemptResult } from '#domain';
import { bareHost, guardedLookup, RefusedAddressError } from './delivery-address.js';

/** API.md: an answer not started within 10 s is a timeout, retried like a 5xx. */
export const DELIVERY_TIMEOUT_MS = 10_000;

export interface DeliveryRequest {
  url: string;
  headers: Record<string, string>;
  body: string;
  /** The SSRF guard's lookup; null when private destinations are allowed (local testing only). */
  lookup: LookupFunction | null;
  timeoutMs?: number;
}

export interface AttemptOutcome {
  result: AttemptResult;
  responseStatus: number | null;
  /** What went wrong, for the delivery log; null on a 2xx. */
  error: string | null;
}

const guard = guardedLookup();
/** The lookup of a delivery: guarded unless private destinations are allowed. */
export const deliveryLookup = (allowPrivate: boolean): LookupFunction | null => (allowPrivate ? null : guard);

/**
 * One POST of a delivery. Redirects are never followed (node's http does not), a fresh connection
 * each time (no agent pool), so every attempt resolves and checks its destination again.
 */
export function sendWebhook(req: DeliveryRequest): Promise<AttemptOutcome> {
  const url = new URL(req.url);
  const host = bareHost(url.hostname);
  // Node connects to an IP literal without calling lookup: check it here.
  if (req.lookup && isIP(host)) {
    const verdict = checkDeliveryAddress(host);
    if (!verdict.allowed) {
      return Promise.resolve({ result: { kind: 'refused_address' }, responseStatus: null, error: new RefusedAddressError(host, host, verdict.reason).message });
    }
  }
  const client = url.protocol === 'https:' ? https : http;
  const timeoutMs = req.timeoutMs ?? DELIVERY_TIMEOUT_MS;
  return new Promise((resolve) => {
    let settled = false;
    const finish = (outcome: AttemptOutcome) => {
      if (settled) return;
      settled = true;
      resolve(outcome);
    };
    const request = client.request(url, {
      method: 'POST',
      headers: { ...req.headers, 'content-length': String(Buffer.byteLength(req.body)), 'user-agent': 'Promptgate-Webhooks/1' },
      agent: false,
      ...(req.lookup ? { lookup: req.lookup } : {}),
    }, (res) => {
      const status = res.statusCode ?? 0;
      res.resume();
      res.on('end', () => clearTimeout(timer));
      const ok = status >= 200 && status < 300;
      finish({
        result: { kind: 'response', status, retryAfterSeconds: parseRetryAfter(res.headers['retry-after'], new Date()) },
        responseStatus: status,
        error: ok ? null : `answered ${status}`,
      });
    });
    const timer = setTimeout(() => {
      finish({ result: { kind: 'timeout' }, responseStatus: null, error: `no answer within ${timeoutMs / 1000} s` });
      request.destroy();
    }, timeoutMs);
    request.on('error', (err: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      if (err instanceof RefusedAddressError || err.code === 'ERR_WEBHOOK_ADDRESS_REFUSED') finish({ result: { kind: 'refused_address' }, responseStatus: null, error: err.message });
      else finish({ result: { kind: 'network_error' }, responseStatus: null, error: err.message || err.code || 'connection failed' });
    });
    request.end(req.body);
  });
}
