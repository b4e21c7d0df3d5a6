import { ValidationError } from '#domain';
import { RefusedAddressError, resolveAllowed, systemResolver, type Resolver } from './delivery-address.js';

function refuse(message: string): ValidationError {
  return new ValidationError(message, [{ field: 'url', messages: [message] }], 'url_not_allowed');
}

/** The URL's form: http(s), no credentials in it. */
export function parseWebhookUrl(text: string): URL {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw refuse('url is not an absolute URL.');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw refuse('url must use http or https.');
  if (url.username !== '' || url.password !== '') throw refuse('url must not carry credentials; the signature authenticates deliveries.');
  if (url.hostname === '') throw refuse('url has no host.');
  return url;
}

/**
 * Checks a subscription URL: its form, and (unless private destinations are allowed for local
 * testing) that its host resolves and only to addresses the SSRF guard allows. `400 url_not_allowed`.
 */
export async function checkWebhookUrl(text: string, allowPrivate: boolean, resolve: Resolver = systemResolver): Promise<URL> {
  const url = parseWebhookUrl(text);
  if (allowPrivate) return url;
  try {
    await resolveAllowed(url.hostname, resolve);
  } catch (err) {
    if (err instanceof RefusedAddressError) throw refuse(`url is not allowed: ${err.message}.`);
    throw refuse(`url's host ${url.hostname} does not resolve.`);
  }
  return url;
}
