import { LRUCache } from 'lru-cache';
import type { CompiledTemplate } from '#domain';
import type { ServedAnswer, ServedVersion } from './served-version.js';

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

/** A precomputed answer: its body, its etag and its header lines. */
const answerBytes = (answer: ServedAnswer) => stringBytes(answer.body) + stringBytes(answer.etag) + stringBytes(answer.hitLines);

function templateBytes(template: CompiledTemplate): number {
  let bytes = template.textUnits * 2;
  for (const name of template.names) bytes += stringBytes(name);
  for (const name of template.variables) bytes += stringBytes(name);
  return bytes;
}

function versionBytes(version: ServedVersion): number {
  let bytes = stringBytes(version.key) + stringBytes(version.versionId) + stringBytes(version.versionHeader)
    + answerBytes(version.text) + (version.json === version.text ? 0 : answerBytes(version.json));
  // The compiled template holds the content again, split into texts, and the variable names.
  bytes += templateBytes(version.compiled) + version.configUnits * 2;
  if (version.chat !== null) {
    // A chat version's messages, compiled: each message's template, and the names.
    for (const part of version.chat.parts) bytes += part.role === 'placeholder' ? stringBytes(part.name) : templateBytes(part.template);
    for (const name of version.chat.variables) bytes += stringBytes(name);
  }
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

/** What an environment's view of the cache is told: one of its prompts' entries left the cache. */
export interface CacheView {
  forget(cacheKey: string): void;
}

/**
 * The gateway's one in-process cache (lru-cache, O(1) get and set), bounded in bytes
 * (GATEWAY_CACHE_MB) across every environment's live and pinned prompts and the API keys.
 * Keys: the Authorization header for an API key (a header holds no newline), and
 * `environment\nkey` (live) or `environment\nkey\nnum` (pinned) for a prompt. Two indexes follow
 * the entries as they come and go (lru-cache's dispose): each environment's view maps prompt keys
 * to cache keys, so a hit builds no key string; and the cached headers of each API key hash, so a
 * revocation finds its entries without walking the cache.
 */
export class GatewayCache {
  readonly lru: LRUCache<string, GatewayCacheEntry>;
  private readonly views = new Map<string, CacheView>();
  private readonly headersByKeyHash = new Map<string, Set<string>>();

  constructor(readonly maxBytes: number) {
    if (!Number.isInteger(maxBytes) || maxBytes < 1) throw new RangeError('maxBytes must be a positive integer');
    this.lru = new LRUCache<string, GatewayCacheEntry>({
      maxSize: maxBytes,
      maxEntrySize: Math.max(1, Math.floor(maxBytes / MAX_ENTRY_SHARE)),
      sizeCalculation: (entry, key) => entryBytes(key, entry),
      // 'set': the key stays, with a new value; any other reason, the key is gone.
      dispose: (entry, key, reason) => {
        if (reason !== 'set') this.dropped(key, entry);
      },
    });
  }

  /** Bytes charged for everything cached now. */
  get bytes(): number {
    return this.lru.calculatedSize;
  }

  get size(): number {
    return this.lru.size;
  }

  /** The view of an environment's prompts, told when one of its entries leaves (an environment has one view). */
  addView(environmentId: string, view: CacheView): void {
    this.views.set(environmentId, view);
  }

  /** Caches an API key's entry under its Authorization header, indexed by its hash; false when it is too large to keep. */
  setApiKey(authorization: string, entry: GatewayCacheEntry & { readonly keyHash: string }): boolean {
    this.lru.set(authorization, entry);
    if (this.lru.peek(authorization) !== entry) return false;
    let headers = this.headersByKeyHash.get(entry.keyHash);
    if (headers === undefined) this.headersByKeyHash.set(entry.keyHash, (headers = new Set()));
    headers.add(authorization);
    return true;
  }

  /** The Authorization headers cached for a key hash (usually one). */
  headersOfKeyHash(keyHash: string): Iterable<string> {
    return this.headersByKeyHash.get(keyHash) ?? [];
  }

  /** Drops every entry the predicate picks (keys gathered first: the LRU is not changed while iterated). */
  deleteWhere(pick: (key: string, entry: GatewayCacheEntry) => boolean): void {
    const doomed: string[] = [];
    for (const [key, entry] of this.lru.entries()) if (pick(key, entry)) doomed.push(key);
    for (const key of doomed) this.lru.delete(key);
  }

  private dropped(key: string, entry: GatewayCacheEntry): void {
    if ('keyHash' in entry) {
      const headers = this.headersByKeyHash.get(entry.keyHash);
      if (headers === undefined) return;
      headers.delete(key);
      if (headers.size === 0) this.headersByKeyHash.delete(entry.keyHash);
      return;
    }
    this.views.get(key.slice(0, key.indexOf('\n')))?.forget(key);
  }
}
