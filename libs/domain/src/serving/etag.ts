/**
 * Strong entity tags for served prompts. A version's body without variables gets a tag computed
 * once; a body with variables substituted gets the version's tag plus a fast hash of the body.
 */

/** cyrb53: a fast, well-mixed 53-bit string hash (not cryptographic: it only tells bodies apart). */
export function hashText(text: string, seed = 0): number {
  let h1 = 0xdeadbeef ^ seed;
  let h2 = 0x41c6ce57 ^ seed;
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ ch, 2654435761);
    h2 = Math.imul(h2 ^ ch, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507);
  h1 ^= Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507);
  h2 ^= Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return 4294967296 * (2097151 & h2) + (h1 >>> 0);
}

/** `"<tag>"` for a fixed body: the version's id names its content, `variant` its representation (text or json). */
export function versionEtag(versionId: string, variant: string): string {
  return `"${versionId}.${variant}"`;
}

/** The tag of a body rendered from a version: the version's tag with the body's hash, so equal bodies share a tag. */
export function renderedEtag(versionId: string, variant: string, body: string): string {
  return `"${versionId}.${variant}.${hashText(body).toString(36)}"`;
}

/**
 * Whether an `If-None-Match` header names `etag` (RFC 9110 13.1.2: `*`, or a comma-separated list
 * compared weakly, so a `W/` prefix on either side does not matter).
 */
export function ifNoneMatchHits(header: string | undefined, etag: string): boolean {
  if (header === undefined || header === '') return false;
  if (header === etag) return true;
  const opaque = etag.startsWith('W/') ? etag.slice(2) : etag;
  for (const raw of header.split(',')) {
    const tag = raw.trim();
    if (tag === '*') return true;
    if ((tag.startsWith('W/') ? tag.slice(2) : tag) === opaque) return true;
  }
  return false;
}
