import { type DataSource, QueryFailedError } from 'typeorm';
import { CommitTail, preparedStatement } from '#persistence';
import { useLoggedDatabase } from './support/statements.js';

/** Echoes its values as PostgreSQL read them, and writes a row, as a held statement of the tail does. */
const ECHO = preparedStatement(
  `WITH written AS (INSERT INTO tail_probe VALUES ($1::int, $2::text) RETURNING id)
   SELECT (SELECT id FROM written) AS id, $2::text AS note, $3::text[] AS texts, $4::jsonb[] AS docs, $5::int AS n, $6::boolean AS flag, $7::interval AS lease`,
);

describe('a transaction\'s commit tail (libs/persistence CommitTail)', () => {
  const t = useLoggedDatabase([`CREATE TABLE tail_probe (id int PRIMARY KEY, note text NOT NULL)`]);
  beforeEach(async () => {
    await t.dataSource.query(`TRUNCATE tail_probe`);
    t.log.statements.length = 0;
  });

  const rows = async () => t.dataSource.query(`SELECT id, note FROM tail_probe ORDER BY id`) as Promise<Array<{ id: number; note: string }>>;

  it('sends what was added, the last statement and COMMIT as one message, and gives each statement its own rows', async () => {
    const got: unknown[][] = [];
    await t.dataSource.transaction(async (manager) => {
      const tail = CommitTail.open(manager.queryRunner!);
      expect(CommitTail.of(manager.queryRunner!)).toBe(tail);
      await manager.query(`INSERT INTO tail_probe VALUES (1, 'the change')`);
      tail.add(`INSERT INTO tail_probe VALUES (2, 'held') RETURNING id`, (r) => got.push(r));
      tail.add(`SELECT count(*)::int AS n FROM tail_probe`, (r) => got.push(r));
      expect(tail.size).toBe(2);
      // Held: nothing of the tail has reached the database yet.
      expect(await manager.query(`SELECT count(*)::int AS n FROM tail_probe`)).toEqual([{ n: 1 }]);
      await tail.send({ last: `INSERT INTO tail_probe VALUES (3, 'last')`, commit: true });
      expect(tail.size).toBe(0);
      // TypeORM's own COMMIT follows: the transaction is over, so PostgreSQL only warns.
    });
    expect(got).toEqual([[{ id: 2 }], [{ n: 2 }]]);
    expect(await rows()).toEqual([{ id: 1, note: 'the change' }, { id: 2, note: 'held' }, { id: 3, note: 'last' }]);
    const message = t.log.statements.filter((s) => s.includes(`'held'`));
    expect(message).toEqual([
      `INSERT INTO tail_probe VALUES (2, 'held') RETURNING id; SELECT count(*)::int AS n FROM tail_probe; INSERT INTO tail_probe VALUES (3, 'last'); COMMIT`,
    ]);
  });

  it('fails as manager.query does, and a statement that fails leaves nothing of the transaction: not the change, not the rest of the tail', async () => {
    const failed = await t.dataSource.transaction(async (manager) => {
      const tail = CommitTail.open(manager.queryRunner!);
      await manager.query(`INSERT INTO tail_probe VALUES (1, 'the change')`);
      tail.add(`INSERT INTO tail_probe VALUES (2, 'before')`);
      tail.add(`INSERT INTO tail_probe VALUES (1, 'a duplicate')`);
      tail.add(`INSERT INTO tail_probe VALUES (3, 'after')`);
      await tail.send({ commit: true });
    }).then(() => null, (err: unknown) => err);
    expect(failed).toBeInstanceOf(QueryFailedError);
    expect((failed as QueryFailedError & { driverError: { code: string } }).driverError.code).toBe('23505');
    expect(await rows()).toEqual([]);
    // The pool's connection is usable and outside any transaction.
    expect(await t.dataSource.query(`SELECT 1 AS ok`)).toEqual([{ ok: 1 }]);
  });

  it('without a commit, sends the held statements inside the transaction, which the caller still commits or rolls back', async () => {
    await t.dataSource.transaction(async (manager) => {
      const tail = CommitTail.open(manager.queryRunner!);
      tail.add(`INSERT INTO tail_probe VALUES (1, 'held')`);
      await tail.send({ commit: false });
      expect(await manager.query(`SELECT count(*)::int AS n FROM tail_probe`)).toEqual([{ n: 1 }]);
      throw new Error('roll it back');
    }).catch(() => undefined);
    expect(await rows()).toEqual([]);
  });

  it('is no round trip when nothing is held, and belongs to its transaction only', async () => {
    let runner: NonNullable<DataSource['manager']['queryRunner']> | undefined;
    await t.dataSource.transaction(async (manager) => {
      runner = manager.queryRunner!;
      const tail = CommitTail.open(runner);
      await tail.send({ commit: false });
    });
    expect(t.log.statements).toEqual(['START TRANSACTION', 'COMMIT']);
    // Once the transaction is over its tail is not found, so nothing can be added to a committed change.
    expect(CommitTail.of(runner)).toBeUndefined();
    expect(CommitTail.of(t.dataSource.manager.queryRunner)).toBeUndefined();
  });

  it('holds a prepared statement as an EXECUTE of it once its connection has it parsed, its values read back exactly as sent', async () => {
    const hostile = `it's \\ E'x'); COMMIT; --`;
    const texts = ['plain', 'a "quoted", {braced} \\ one', '', 'NULL', null];
    const docs = [JSON.stringify({ q: hostile, nested: ['\t', 1e21] }), '[]', null];
    const params = (id: number) => [id, hostile, texts, docs, -7, true, '2 seconds'] as const;
    const expected = (id: number) => ({
      id, note: hostile, texts, docs: [{ q: hostile, nested: ['\t', 1e21] }, [], null], n: -7, flag: true,
      lease: expect.objectContaining({ seconds: 2 }),
    });
    const got: unknown[][] = [];
    // A fresh pool: its one connection has never parsed the statement, so the first call is the caller's own.
    await t.reconnect();
    for (const id of [1, 2]) {
      await t.dataSource.transaction(async (manager) => {
        const tail = CommitTail.open(manager.queryRunner!);
        await manager.query(`SELECT 1 AS the_change`);
        const held = tail.hold(ECHO, params(id), (r) => got.push(r));
        if (!held) got.push(await ECHO.run(manager, params(id)));
        expect(held).toBe(id === 2);
        await tail.send({ commit: false });
      });
    }
    expect(got).toEqual([[expected(1)], [expected(2)]]);
    const executes = t.log.statements.filter((s) => s.startsWith('EXECUTE'));
    expect(executes).toHaveLength(1);
    expect(executes[0]).toMatch(new RegExp(`^EXECUTE ${ECHO.name}\\('2', .*, '-7', 'true', '2 seconds'\\)$`));
    expect(await rows()).toEqual([{ id: 1, note: hostile }, { id: 2, note: hostile }]);
  });
});
