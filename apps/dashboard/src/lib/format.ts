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
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T${pad(date.getHours())}:${pad(date.getMinutes())}`;
}
export function fromLocalInput(value: string): string | null {
  if (!value) return null;
  const d = new Date(value);
  return Number.isNaN(d.getTime()) ? null : d.toISOString();
}
