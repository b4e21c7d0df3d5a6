import { createHash } from 'node:crypto';

/**
 * The id of the eval run of one mode that one submission requests, derived from the submission's
 * outbox event: a consumer run again for that event finds its run instead of creating a second.
 * Formatted as an RFC 9562 version 8 (custom) UUID.
 */
export function submissionEvalId(eventId: string, mode: 'rules' | 'judge'): string {
  const hex = createHash('sha256').update(`eval-on-submit:${eventId.toLowerCase()}:${mode}`).digest('hex');
  const variant = ((parseInt(hex[16], 16) & 0x3) | 0x8).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-8${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}
