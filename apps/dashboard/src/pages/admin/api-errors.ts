/** The API's `validation_failed` details (`[{field, messages}]`, API.md "Errors") by field, each as one sentence. */
export function detailsByField(details: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (!Array.isArray(details)) return out;
  for (const item of details as unknown[]) {
    if (typeof item !== 'object' || item === null) continue;
    const { field, messages } = item as { field?: unknown; messages?: unknown };
    if (typeof field !== 'string') continue;
    const text = Array.isArray(messages) ? messages.filter((m) => typeof m === 'string').join(' ') : '';
    out[field] = [out[field], text || `${field} is invalid`].filter(Boolean).join(' ');
  }
  return out;
}
