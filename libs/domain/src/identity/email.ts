/**
 * Email addresses as identities. Adding a member by email grants access to whoever owns the
 * account with that address, so two addresses that a person reading them would take for one must
 * never be two accounts. The rule, applied at signup, login and member add:
 *
 * - trim, Unicode NFKC (fullwidth `ａ` becomes `a`, ligatures are split), then lower case;
 * - after that, every character must be printable ASCII: this refuses in one rule Cyrillic or
 *   Greek look-alikes mixed into Latin (`аlice`), zero-width and other invisible format characters
 *   (`alice\u200b`), and right-to-left overrides. Internationalised domains are accepted in their
 *   ASCII (`xn--`) form, which is how they are displayed back, so a look-alike cannot hide;
 * - the local part is an RFC 5321 dot-atom: no quoted local parts (`"alice"@`), no empty,
 *   leading, trailing or doubled dots, no comments;
 * - the domain is at least two dot-separated LDH labels (letters, digits, inner hyphens), no IP
 *   literals; total length at most 254, local part at most 64.
 *
 * Non-ASCII local parts (SMTPUTF8) are refused on purpose: mailbox providers do not agree on how
 * they compare, and they are where confusables are hardest to see.
 */

import { ValidationError } from '../errors.js';

export const EMAIL_MAX_LENGTH = 254;
const LOCAL_MAX_LENGTH = 64;
const LABEL_MAX_LENGTH = 63;

// RFC 5322 atext; a dot-atom is atext runs joined by single dots.
const DOT_ATOM = /^[a-z0-9!#$%&'*+/=?^_`{|}~-]+(\.[a-z0-9!#$%&'*+/=?^_`{|}~-]+)*$/;
const LABEL = /^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/;
// Invisible or formatting code points: Cf (zero-width, bidi controls, BOM), Cc, unassigned, private use, surrogates, separators.
const INVISIBLE = /[\p{Cf}\p{Cc}\p{Cn}\p{Co}\p{Cs}\p{Z}\u034f\u115f\u1160\u3164\uffa0]/u;

export type EmailProblem =
  | 'too_long'
  | 'invisible_character'
  | 'non_ascii'
  | 'quoted_local_part'
  | 'malformed';

const PROBLEM_MESSAGES: Record<EmailProblem, string> = {
  too_long: `email must be at most ${EMAIL_MAX_LENGTH} characters`,
  invisible_character: 'email must not contain invisible, zero-width or formatting characters',
  non_ascii: 'email must use ASCII characters only (internationalised domains in their xn-- form)',
  quoted_local_part: 'email must not use a quoted local part',
  malformed: 'email must be an email address',
};

export type EmailCheck = { ok: true; email: string } | { ok: false; problem: EmailProblem; message: string };

function refused(problem: EmailProblem): EmailCheck {
  return { ok: false, problem, message: PROBLEM_MESSAGES[problem] };
}

/** Normalises `raw` to the one spelling the registry stores and looks up, or says why it is refused. */
export function checkEmail(raw: string): EmailCheck {
  if (raw.length > EMAIL_MAX_LENGTH * 4) return refused('too_long');
  // Only ASCII white space is trimmed: String.trim would also drop a byte order mark or NBSP unseen.
  const trimmed = raw.replace(/^[ \t\r\n]+|[ \t\r\n]+$/g, '');
  if (INVISIBLE.test(trimmed)) return refused('invisible_character');
  const email = trimmed.normalize('NFKC').toLowerCase();
  if (INVISIBLE.test(email)) return refused('invisible_character');
  if (email.length > EMAIL_MAX_LENGTH) return refused('too_long');
  if (/[^\x20-\x7e]/.test(email)) return refused('non_ascii');
  if (email.startsWith('"') || email.includes('"@')) return refused('quoted_local_part');
  const at = email.lastIndexOf('@');
  if (at <= 0) return refused('malformed');
  const local = email.slice(0, at);
  const domain = email.slice(at + 1);
  if (local.length > LOCAL_MAX_LENGTH || !DOT_ATOM.test(local)) return refused('malformed');
  const labels = domain.split('.');
  if (labels.length < 2 || !labels.every((l) => l.length <= LABEL_MAX_LENGTH && LABEL.test(l))) return refused('malformed');
  if (/^[0-9]+$/.test(labels[labels.length - 1])) return refused('malformed');
  return { ok: true, email };
}

/** True when `raw` is an address the registry accepts as an identity. */
export function isAcceptableEmail(raw: string): boolean {
  return checkEmail(raw).ok;
}

/**
 * The normalised spelling of `raw`, or null when it is refused. Login uses this with the legacy
 * spelling as a fallback, so an account created before this rule can still sign in.
 */
export function normalizeEmailOrNull(raw: string): string | null {
  const check = checkEmail(raw);
  return check.ok ? check.email : null;
}

/** How addresses were stored before this rule (trimmed, lower case): what older rows may hold. */
export function legacyEmailSpelling(raw: string): string {
  return raw.trim().toLowerCase();
}

/** The one spelling of an email address the registry stores and looks up; `400 validation_failed` when refused. */
export function normalizeEmail(raw: string, field = 'email'): string {
  const check = checkEmail(raw);
  if (!check.ok) throw new ValidationError(`The request is invalid: ${field}.`, [{ field, messages: [check.message] }]);
  return check.email;
}
