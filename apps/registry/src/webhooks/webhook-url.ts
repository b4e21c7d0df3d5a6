import { ValidationError } from '#domain';
import { resolveAllowed, systemResolver, type Resolver } from './delivery-address.js';

/** The one answer for any destination the guard refuses: it never says what a host resolved to. */
export const URL_NOT_ALLOWED_MESSAGE = 'url is not allowed: its host must resolve, and only to public addresses.';

function invalid(message: string): ValidationError {
  return new ValidationError(message, [{ field: 'url', messages: [message] }]);
}

function notAllowed(): ValidationError {
  return new ValidationError(URL_NOT_ALLOWED_MESSAGE, [{ field: 'url', messages: [URL_NOT_ALLOWED_MESSAGE] }], 'url_not_allowed');
}

/** The URL's form: absolute http(s) with a host, no credentials in it; else `400 validation_failed`. */
export function parseWebhookUrl(text: string): URL {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw invalid('url must be an absolute http or https URL.');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw invalid('url must be an absolute http or https URL.');
  if (url.username !== '' || url.password !== '') throw invalid('url must not carry credentials; the signature authenticates deliveries.');
  if (url.hostname === '') throw invalid('url must be an absolute http or https URL.');
  return url;
}

/**
 * Checks a subscription URL: its form, and (unless private destinations are allowed for local
 * testing) that its host resolves and only to addresses the SSRF guard allows, else `400
 * url_not_allowed` with one message whatever the reason, so the API is no probe of internal DNS.
 */
export async function checkWebhookUrl(text: string, allowPrivate: boolean, resolve: Resolver = systemResolver): Promise<URL> {
  const url = parseWebhookUrl(text);
  if (allowPrivate) return url;
  try {
    await resolveAllowed(url.hostname, resolve);
  } catch {
    throw notAllowed();
  }
  return url;
}
