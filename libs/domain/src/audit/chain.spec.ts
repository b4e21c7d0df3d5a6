import { createHash } from 'node:crypto';
import fc from 'fast-check';
import {
  bodyHole, canonicalBodyBeforeSeq, canonicalBodyPieces, chainEntry, computeIntegrityHash, GENESIS_HASH, verifyChain, type ChainedAuditEntry,
} from './chain.js';

function buildChain(n: number): ChainedAuditEntry[] {
  const out: ChainedAuditEntry[] = [];
  for (let i = 0; i < n; i++) {
    out.push(chainEntry(out.at(-1) ?? null, {
      action: i % 2 ? 'version.approved' : 'version.created',
      resource_type: 'version',
      resource_id: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
      actor_email: 'ana@example.com',
      extra: { note: `n${i}`, score: i / 3 },
      created_at: new Date(Date.UTC(2026, 0, 1, 0, 0, i)).toISOString(),
    }));
  }
  return out;
}

describe('audit chain', () => {
  it('hashes exactly as API.md specifies', () => {
    const fields = {
      seq: 1, action: 'prompt.created', resource_type: 'prompt', resource_id: 'p1',
      actor_email: 'a@b.c', extra: { key: 'k' }, created_at: '2026-01-01T00:00:00.000Z',
    };
    const expected = createHash('sha256')
      .update(`${GENESIS_HASH}\n{"action":"prompt.created","actor_email":"a@b.c","created_at":"2026-01-01T00:00:00.000Z","extra":{"key":"k"},"resource_id":"p1","resource_type":"prompt","seq":1}`)
      .digest('hex');
    expect(computeIntegrityHash(GENESIS_HASH, fields)).toBe(expected);
  });

  it('starts at seq 1 on 64 zeros and links each entry to the previous hash', () => {
    const chain = buildChain(3);
    expect(chain.map((e) => e.seq)).toEqual([1, 2, 3]);
    expect(chain[0].prev_hash).toBe(GENESIS_HASH);
    expect(chain[1].prev_hash).toBe(chain[0].integrity_hash);
    expect(chain[2].prev_hash).toBe(chain[1].integrity_hash);
  });

  it('verifies an intact chain and reports its head', () => {
    const chain = buildChain(50);
    expect(verifyChain(chain)).toEqual({ ok: true, entries_checked: 50, head_hash: chain[49].integrity_hash });
    expect(verifyChain([])).toEqual({ ok: true, entries_checked: 0, head_hash: GENESIS_HASH });
  });

  const tampers: Array<[string, (e: ChainedAuditEntry) => ChainedAuditEntry]> = [
    ['action', (e) => ({ ...e, action: 'version.rejected' })],
    ['resource_id', (e) => ({ ...e, resource_id: 'other' })],
    ['actor_email', (e) => ({ ...e, actor_email: 'mallory@example.com' })],
    ['extra', (e) => ({ ...e, extra: { ...e.extra, note: 'x' } })],
    ['created_at', (e) => ({ ...e, created_at: '2030-01-01T00:00:00.000Z' })],
    ['integrity_hash', (e) => ({ ...e, integrity_hash: 'f'.repeat(64) })],
    ['prev_hash', (e) => ({ ...e, prev_hash: 'e'.repeat(64) })],
  ];
  it.each(tampers)('reports the seq of an entry whose %s was changed', (_field, tamper) => {
    const chain = buildChain(10);
    chain[6] = tamper(chain[6]);
    expect(verifyChain(chain)).toMatchObject({ ok: false, first_bad_seq: 7 });
  });

  it('reports a missing entry at the seq that is missing', () => {
    const chain = buildChain(10);
    chain.splice(4, 1);
    expect(verifyChain(chain)).toMatchObject({ ok: false, first_bad_seq: 5 });
  });
});

describe('canonicalBodyBeforeSeq', () => {
  it('is the canonical JSON of the fields up to seq, which sorts last: the database finishes the same hash', () => {
    fc.assert(
      fc.property(
        fc.record({
          seq: fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER }),
          action: fc.string(),
          resource_type: fc.string(),
          resource_id: fc.option(fc.string(), { nil: null }),
          actor_email: fc.option(fc.string(), { nil: null }),
          extra: fc.dictionary(fc.string(), fc.jsonValue()),
          created_at: fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
        }),
        fc.string({ unit: fc.constantFrom(...'0123456789abcdef'), minLength: 64, maxLength: 64 }),
        (fields, prev) => {
          const { seq, ...rest } = fields;
          const finished = `${canonicalBodyBeforeSeq(rest)},"seq":${seq}}`;
          expect(createHash('sha256').update(`${prev}\n${finished}`).digest('hex')).toBe(computeIntegrityHash(prev, fields));
        },
      ),
    );
  });
});

describe('canonicalBodyPieces', () => {
  it('cuts the body at the holes so that filling them with their values gives the body of the whole entry', () => {
    fc.assert(fc.property(fc.string(), fc.integer({ min: 1, max: 2 ** 31 - 1 }), fc.emailAddress(), (key, num, email) => {
      const fields = (extra: Record<string, unknown>) => ({
        action: 'version.created', resource_type: 'version', resource_id: 'v1', actor_email: email, extra, created_at: '2026-12-01T00:00:00.000Z',
      });
      const keyHole = bodyHole();
      const numHole = bodyHole();
      const { pieces, holes } = canonicalBodyPieces(fields({ version_num: numHole.marker, prompt_key: keyHole.marker }), { key: keyHole, num: numHole });
      expect(holes).toEqual(['key', 'num']);
      const filled = pieces[0] + JSON.stringify(key) + pieces[1] + String(num) + pieces[2];
      expect(filled).toBe(canonicalBodyBeforeSeq(fields({ version_num: num, prompt_key: key })));
    }));
  });

  it('refuses a hole that is not in the entry, or is in it twice', () => {
    const hole = bodyHole();
    const base = { action: 'a', resource_type: 'r', resource_id: null, actor_email: null, created_at: '2026-12-01T00:00:00.000Z' };
    expect(() => canonicalBodyPieces({ ...base, extra: {} }, { x: hole })).toThrow('the hole x is not in the entry');
    expect(() => canonicalBodyPieces({ ...base, extra: { a: hole.marker, b: hole.marker } }, { x: hole })).toThrow('the hole x is in the entry twice');
  });

  it('makes markers no data can hold by chance: every hole is new', () => {
    expect(bodyHole().marker).not.toBe(bodyHole().marker);
  });
});
