/** Dates as people read them: local date and time, minutes precision. */
export function formatDateTime(iso: string | null | undefined): string {
  if (!iso) return '—';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return d.toLocaleString(undefined, { year: 'numeric', month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' });
}

/** A version's status in words ("pending review" for pending_review). */
export const statusLabel = (status: string): string => status.replace(/_/g, ' ');

export const STATUS_COLORS: Record<string, string> = {
  draft: 'gray',
  pending_review: 'yellow',
  approved: 'green',
  rejected: 'red',
  archived: 'dark',
  queued: 'gray',
  running: 'blue',
  succeeded: 'green',
  failed: 'red',
};

/** `<input type="datetime-local">`'s value (local time, minutes) for an instant, and back to ISO. */
export function toLocalInput(date: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}`;
}

/**
 * The version of a history live at `at` (live_from <= at < live_until, or still live), else null:
 * the page asks GET /prompts/:id/live-at only when one was, so "nothing was live" costs no 404.
 */
export function liveVersionAt<V extends { live_from: string | null; live_until: string | null }>(versions: readonly V[], at: string): V | null {
  const t = Date.parse(at);
  return versions.find((v) => v.live_from !== null && Date.parse(v.live_from) <= t && (v.live_until === null || t < Date.parse(v.live_until))) ?? null;
}
export function fromLocalInput(value: string): string | null {
  if (!value) return null;
  const d = new Date(value);
  return Number.isNaN(d.getTime()) ? null : d.toISOString();
}

/** A short date and time for tables: "Dec 1, 17:38" (the year only when it is not this year's). */
export function formatShort(iso: string | null | undefined, now = new Date()): string {
  if (!iso) return '—';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  const sameYear = d.getFullYear() === now.getFullYear();
  return d.toLocaleString(undefined, { ...(sameYear ? {} : { year: 'numeric' }), month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' });
}
