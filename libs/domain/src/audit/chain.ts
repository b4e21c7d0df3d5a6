import { createHash, randomUUID } from 'node:crypto';
import { canonicalJson } from './canonical-json.js';

/** The first entry of a workspace's chain points at 64 zeros. */
export const GENESIS_HASH = '0'.repeat(64);

/** The hashed fields of an audit entry, exactly as the API returns them. */
export interface AuditEntryFields {
  seq: number;
  action: string;
  resource_type: string;
  resource_id: string | null;
  actor_email: string | null;
  extra: Record<string, unknown>;
  /** ISO-8601 UTC with milliseconds, the exact string the API returns. */
  created_at: string;
}

export interface ChainedAuditEntry extends AuditEntryFields {
  prev_hash: string;
  integrity_hash: string;
}

/** integrity_hash = hex(SHA-256(prev_hash + "\n" + canonical_json(fields))), as API.md defines it. */
export function computeIntegrityHash(prevHash: string, f: AuditEntryFields): string {
  const body = canonicalJson({
    seq: f.seq,
    action: f.action,
    resource_type: f.resource_type,
    resource_id: f.resource_id,
    actor_email: f.actor_email,
    extra: f.extra,
    created_at: f.created_at,
  });
  return createHash('sha256').update(`${prevHash}\n${body}`).digest('hex');
}

/**
 * The canonical JSON of an entry's hashed fields without `seq`, open at its end. `seq` sorts last
 * among the hashed keys, so canonical_json(fields) = body + ',"seq":' + seq + '}': the database
 * (audit_append) finishes the hash under the workspace's lock once it knows seq and prev_hash.
 */
export function canonicalBodyBeforeSeq(f: Omit<AuditEntryFields, 'seq'>): string {
  const body = canonicalJson({
    action: f.action,
    resource_type: f.resource_type,
    resource_id: f.resource_id,
    actor_email: f.actor_email,
    extra: f.extra,
    created_at: f.created_at,
  });
  return body.slice(0, -1);
}

/** Links a new entry to the chain's head (null head: the chain is empty). */
export function chainEntry(
  head: { seq: number; integrity_hash: string } | null,
  f: Omit<AuditEntryFields, 'seq'>,
): ChainedAuditEntry {
  const seq = head ? head.seq + 1 : 1;
  const prev_hash = head ? head.integrity_hash : GENESIS_HASH;
  const fields: AuditEntryFields = { ...f, seq };
  return { ...fields, prev_hash, integrity_hash: computeIntegrityHash(prev_hash, fields) };
}

export type ChainVerdict =
  | { ok: true; entries_checked: number; head_hash: string }
  | { ok: false; entries_checked: number; first_bad_seq: number };

/**
 * Checks a chain fed in ascending seq order, in as many batches as the caller likes, so a long
 * log is verified without holding it in memory. An entry is bad when its seq is not the next
 * one, its prev_hash is not the previous integrity_hash, or its integrity_hash does not recompute.
 */
export class ChainVerifier {
  private expectedSeq = 1;
  private prevHash = GENESIS_HASH;
  private badSeq: number | null = null;
  private checked = 0;

  /** Returns false once a bad entry is found; later entries are then ignored. */
  push(e: ChainedAuditEntry): boolean {
    if (this.badSeq !== null) return false;
    this.checked++;
    const good =
      e.seq === this.expectedSeq &&
      e.prev_hash === this.prevHash &&
      e.integrity_hash === computeIntegrityHash(e.prev_hash, e);
    if (!good) {
      // A gap or repeat is blamed on the seq that should have been there.
      this.badSeq = e.seq === this.expectedSeq ? e.seq : Math.min(e.seq, this.expectedSeq);
      return false;
    }
    this.expectedSeq++;
    this.prevHash = e.integrity_hash;
    return true;
  }

  verdict(): ChainVerdict {
    if (this.badSeq !== null) return { ok: false, entries_checked: this.checked, first_bad_seq: this.badSeq };
    return { ok: true, entries_checked: this.checked, head_hash: this.prevHash };
  }
}

export function verifyChain(entries: Iterable<ChainedAuditEntry>): ChainVerdict {
  const v = new ChainVerifier();
  for (const e of entries) if (!v.push(e)) break;
  return v.verdict();
}

/**
 * canonicalBodyBeforeSeq of an entry some of whose values only the database knows when it writes
 * the entry (a version's number, counted under the prompt's lock, in the statement that records
 * it): the body cut at those values. `holes` names the values of `fields` to leave out, each
 * given in `fields` as a placeholder made with `hole(name)`; the body is
 * pieces[0] + json(value of holes[0]) + pieces[1] + ... + pieces[n], where json() must be the
 * value's canonical JSON (a number's digits; for a string, JSON.stringify's escaping).
 */
export function canonicalBodyPieces(
  fields: Omit<AuditEntryFields, 'seq'>,
  placeholders: Readonly<Record<string, BodyHole>>,
): { pieces: string[]; holes: string[] } {
  const body = canonicalBodyBeforeSeq(fields);
  const found = Object.entries(placeholders)
    .map(([name, placeholder]) => ({ name, json: JSON.stringify(placeholder.marker), at: body.indexOf(JSON.stringify(placeholder.marker)) }))
    .sort((a, b) => a.at - b.at);
  const pieces: string[] = [];
  let from = 0;
  for (const hole of found) {
    if (hole.at < 0) throw new Error(`canonicalBodyPieces: the hole ${hole.name} is not in the entry`);
    if (body.indexOf(hole.json, hole.at + 1) >= 0) throw new Error(`canonicalBodyPieces: the hole ${hole.name} is in the entry twice`);
    pieces.push(body.slice(from, hole.at));
    from = hole.at + hole.json.length;
  }
  pieces.push(body.slice(from));
  return { pieces, holes: found.map((h) => h.name) };
}

/** A placeholder for canonicalBodyPieces: a string no entry's data can contain (a random marker). */
export interface BodyHole {
  readonly marker: string;
}

export function bodyHole(): BodyHole {
  return { marker: `\u0000hole:${randomUUID()}\u0000` };
}
