/**
 * The Audit log page's filters and the query of GET /workspaces/:ws/audit (API.md, "Audit log"):
 * `action`, `resource_id`, `actor` (an email), `from` (inclusive) and `to` (exclusive), ISO-8601.
 * The form's dates come from `datetime-local` inputs, which hold the user's local time without a
 * zone: they are sent as the UTC instant they mean.
 */

export interface AuditFilters {
  action: string;
  resourceId: string;
  actor: string;
  /** `YYYY-MM-DDTHH:mm` in local time, or ''. */
  from: string;
  to: string;
}

export const EMPTY_AUDIT_FILTERS: AuditFilters = { action: '', resourceId: '', actor: '', from: '', to: '' };

export interface AuditQuery {
  action?: string;
  resource_id?: string;
  actor?: string;
  from?: string;
  to?: string;
}

export type AuditFilterErrors = Partial<Record<keyof AuditFilters, string>>;

const ACTION = /^[a-z_]+\.[a-z_]+$/;
const LOCAL_DATETIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?$/;

/** Actions the API writes (API.md), offered as suggestions; any `word.word` may be typed. */
export const KNOWN_AUDIT_ACTIONS = [
  'workspace.created', 'environment.created', 'environment.updated', 'member.added', 'member.role_changed', 'member.removed',
  'prompt.created', 'version.created', 'version.submitted', 'version.approved', 'version.rejected', 'version.rollback',
  'version.promoted', 'eval.completed', 'eval.failed', 'test_case.created', 'test_case.updated', 'test_case.deleted',
  'test_run.completed', 'test_run.failed', 'api_key.created', 'api_key.revoked', 'webhook.created', 'webhook.deleted',
  'provider_key.set', 'provider_key.deleted',
] as const;

/** A `datetime-local` value as the UTC instant it means in the browser's zone; null when it is not one. */
export function localToIso(local: string): string | null {
  if (!LOCAL_DATETIME.test(local)) return null;
  const date = new Date(local);
  return Number.isNaN(date.getTime()) ? null : date.toISOString();
}

/** The query of the filters, or what is wrong with them. Blank filters are left out. */
export function auditQuery(filters: AuditFilters): { query: AuditQuery; errors: null } | { query: null; errors: AuditFilterErrors } {
  const errors: AuditFilterErrors = {};
  const query: AuditQuery = {};
  const action = filters.action.trim();
  if (action !== '') {
    if (ACTION.test(action)) query.action = action;
    else errors.action = 'An action looks like version.approved.';
  }
  const resourceId = filters.resourceId.trim();
  if (resourceId !== '') {
    if (resourceId.length <= 200) query.resource_id = resourceId;
    else errors.resourceId = 'At most 200 characters.';
  }
  const actor = filters.actor.trim();
  if (actor !== '') {
    if (/^[^\s@]+@[^\s@]+$/.test(actor)) query.actor = actor;
    else errors.actor = 'An email address, such as ada@example.com.';
  }
  for (const key of ['from', 'to'] as const) {
    if (filters[key] === '') continue;
    const iso = localToIso(filters[key]);
    if (iso === null) errors[key] = 'A date and time.';
    else query[key] = iso;
  }
  if (query.from && query.to && query.from >= query.to) errors.to = '"To" must be after "From".';
  if (Object.keys(errors).length > 0) return { query: null, errors };
  return { query, errors: null };
}

/** The result of GET /workspaces/:ws/audit/verify, in words. */
export type AuditVerdict = { ok: true; entries_checked: number; head_hash: string } | { ok: false; entries_checked?: number; first_bad_seq: number };

export function describeVerdict(verdict: AuditVerdict): string {
  if (verdict.ok) {
    return `Chain verified: ${verdict.entries_checked} ${verdict.entries_checked === 1 ? 'entry' : 'entries'} checked.`;
  }
  return `Chain broken: entry #${verdict.first_bad_seq} does not match the hash chain. Entries from it on cannot be trusted.`;
}
