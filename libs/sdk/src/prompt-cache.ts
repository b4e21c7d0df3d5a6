import type { PromptMessage, PromptType } from './portable/messages.js';

/** One gateway answer kept for a (prompt key, version pin, variables) triple. */
export interface CachedPrompt {
  key: string;
  version: number;
  type: PromptType;
  /** A text prompt's content (variables substituted when the request had some); null for a chat prompt. */
  content: string | null;
  /** A chat prompt's messages; null for a text prompt. */
  messages: PromptMessage[] | null;
  config: Record<string, unknown>;
  unfilledVariables: string[];
  etag: string | null;
  /** The gateway served it from its own cache while its store was down (`x-prompt-stale: 1`). */
  staleAtGateway: boolean;
  /** Clock reading (ms) after which the entry is stale; Infinity for a pinned version. */
  freshUntil: number;
  /** No background revalidation before this clock reading: set after a failed one. */
  revalidateAfter: number;
}

/** A bounded map that forgets the least recently used entry first. */
export class PromptCache {
  private readonly entries = new Map<string, CachedPrompt>();

  constructor(private readonly maxEntries: number) {}

  get size(): number {
    return this.entries.size;
  }

  get(cacheKey: string): CachedPrompt | undefined {
    const entry = this.entries.get(cacheKey);
    if (entry) {
      // Re-inserting moves the entry to the end of the Map's order: the most recently used.
      this.entries.delete(cacheKey);
      this.entries.set(cacheKey, entry);
    }
    return entry;
  }

  set(cacheKey: string, entry: CachedPrompt): void {
    this.entries.delete(cacheKey);
    this.entries.set(cacheKey, entry);
    if (this.entries.size > this.maxEntries) {
      this.entries.delete(this.entries.keys().next().value as string);
    }
  }

  delete(cacheKey: string): void {
    this.entries.delete(cacheKey);
  }

  clear(): void {
    this.entries.clear();
  }
}
