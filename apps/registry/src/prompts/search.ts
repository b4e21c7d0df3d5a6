import { ValidationError } from '#domain';

export const MAX_SEARCH_LENGTH = 200;

/** `?search=` of the prompt list: absent or blank means no filter; anything but one short string is `400`. */
export function readSearch(raw: unknown): string | null {
  if (raw === undefined) return null;
  if (typeof raw !== 'string' || raw.length > MAX_SEARCH_LENGTH) {
    throw new ValidationError(`search must be one string of at most ${MAX_SEARCH_LENGTH} characters.`, [
      { field: 'search', messages: [`search must be one string of at most ${MAX_SEARCH_LENGTH} characters`] },
    ]);
  }
  const trimmed = raw.trim();
  return trimmed === '' ? null : trimmed;
}

/** An ILIKE pattern (with ESCAPE '\') matching `text` anywhere: a user's % and _ match themselves. */
export function containsPattern(text: string): string {
  return `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}
