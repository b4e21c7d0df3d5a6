/** One gateway's serves of one version through one API key since its last flush. */
export interface ServeCount {
  api_key_id: string;
  version_id: string;
  count: number;
  last_served_at: string;
}

/** Serves summed for one id, with the latest time it was served. */
export interface ServeTotal {
  id: string;
  count: number;
  lastServedAt: string;
}

function totalBy(counts: readonly ServeCount[], idOf: (c: ServeCount) => string): ServeTotal[] {
  const totals = new Map<string, ServeTotal>();
  for (const c of counts) {
    const id = idOf(c);
    const total = totals.get(id);
    if (!total) totals.set(id, { id, count: c.count, lastServedAt: c.last_served_at });
    else {
      total.count += c.count;
      if (Date.parse(c.last_served_at) > Date.parse(total.lastServedAt)) total.lastServedAt = c.last_served_at;
    }
  }
  return [...totals.values()];
}

/**
 * A usage batch summed per version and per API key, so each row is updated once (an UPDATE … FROM
 * with a repeated id would apply only one of its matches).
 */
export function totalServes(counts: readonly ServeCount[]): { versions: ServeTotal[]; apiKeys: ServeTotal[] } {
  return { versions: totalBy(counts, (c) => c.version_id), apiKeys: totalBy(counts, (c) => c.api_key_id) };
}
