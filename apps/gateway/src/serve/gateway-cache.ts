import { LRUCache } from 'lru-cache';
import type { ServedVersion } from './served-version.js';

/**
 * What the cache sees of an entry, enough to size it: a cached prompt answer (CachedVersion) or a
 * cached API key (CachedApiKey), both sharing one byte budget. Structural, so this module imports neither.
 */
export type GatewayCacheEntry =
  | { readonly version: ServedVersion | null }
  | { readonly keyHash: string; readonly record: { readonly id: string; readonly environmentId: string } | null };

/** Bytes charged per entry on top of its strings: the entry objects and the LRU's own bookkeeping. */
export const ENTRY_OVERHEAD_BYTES = 256;
/** No single entry may take more than this share of the budget, so one huge prompt cannot flush the rest. */
export const MAX_ENTRY_SHARE = 16;

/** A string's size as V8 may hold it: UTF-16, two bytes a code unit (an upper bound, and O(1) to compute). */
const stringBytes = (s: string) => s.length * 2;

function versionBytes(version: ServedVersion): number {
  let bytes = stringBytes(version.key) + stringBytes(version.versionId) + stringBytes(version.versionHeader)
    + stringBytes(version.textBody) + stringBytes(version.textLength) + stringBytes(version.textEtag)
    + stringBytes(version.jsonBody) + stringBytes(version.jsonLength) + stringBytes(version.jsonEtag);
  // The compiled template holds the content again, split into texts, and the variable names.
  bytes += version.compiled.textUnits * 2;
  for (const name of version.compiled.names) bytes += stringBytes(name);
  for (const name of version.compiled.variables) bytes += stringBytes(name);
  return bytes;
}

/** The bytes an entry is charged: its key, its strings and a fixed overhead. */
export function entryBytes(key: string, entry: GatewayCacheEntry): number {
  let bytes = ENTRY_OVERHEAD_BYTES + stringBytes(key);
  if ('keyHash' in entry) {
    bytes += stringBytes(entry.keyHash);
    if (entry.record !== null) bytes += stringBytes(entry.record.id) + stringBytes(entry.record.environmentId);
  } else if (entry.version !== null) {
    bytes += versionBytes(entry.version);
  }
  return bytes;
}

/**
 * The gateway's one in-process cache (lru-cache, O(1) get and set), bounded in bytes
 * (GATEWAY_CACHE_MB) across every environment's live and pinned prompts and the API keys.
 * Keys: the Authorization header for an API key (a header holds no newline), and
 * `environment\nkey` (live) or `environment\nkey\nnum` (pinned) for a prompt.
 */
export class GatewayCache {
  readonly lru: LRUCache<string, GatewayCacheEntry>;

  constructor(readonly maxBytes: number) {
    if (!Number.isInteger(maxBytes) || maxBytes < 1) throw new RangeError('maxBytes must be a positive integer');
    this.lru = new LRUCache<string, GatewayCacheEntry>({
      maxSize: maxBytes,
      maxEntrySize: Math.max(1, Math.floor(maxBytes / MAX_ENTRY_SHARE)),
      sizeCalculation: (entry, key) => entryBytes(key, entry),
    });
  }

  /** Bytes charged for everything cached now. */
  get bytes(): number {
    return this.lru.calculatedSize;
  }

  get size(): number {
    return this.lru.size;
  }

  /** Drops every entry the predicate picks (keys gathered first: the LRU is not changed while iterated). */
  deleteWhere(pick: (key: string, entry: GatewayCacheEntry) => boolean): void {
    const doomed: string[] = [];
    for (const [key, entry] of this.lru.entries()) if (pick(key, entry)) doomed.push(key);
    for (const key of doomed) this.lru.delete(key);
  }
}
