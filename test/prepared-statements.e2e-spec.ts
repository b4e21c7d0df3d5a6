import { QueryFailedError } from 'typeorm';
import { preparedStatement } from '#persistence';
import { useLoggedDatabase } from './support/statements.js';

const PREPARED = preparedStatement(`SELECT $1::int + 1 AS next, current_setting('application_name') AS app`);
const BUMP = preparedStatement(`UPDATE prepared_probe SET n = n + 1 WHERE id = $1 RETURNING n`);
const FAILING = preparedStatement(`SELECT 1 / $1::int AS quotient`);

describe('prepared statements (libs/persistence PreparedStatement)', () => {
  // One connection: what one statement prepares, the next call on the pool finds.
  const t = useLoggedDatabase([`CREATE TABLE prepared_probe (id int PRIMARY KEY, n int NOT NULL)`, `INSERT INTO prepared_probe VALUES (1, 0)`]);

  it('is parsed once per connection: the named statement stays prepared and is reused', async () => {
    expect(PREPARED.name).toMatch(/^pg_[0-9a-f]{24}$/);
    expect(await PREPARED.run(t.dataSource.manager, [1])).toEqual([{ next: 2, app: 'promptgate' }]);
    expect(await PREPARED.run(t.dataSource.manager, [41])).toEqual([{ next: 42, app: 'promptgate' }]);
    const prepared = await t.dataSource.query(`SELECT name, statement FROM pg_prepared_statements WHERE name = $1`, [PREPARED.name]) as Array<{
      name: string; statement: string;
    }>;
    expect(prepared).toEqual([{ name: PREPARED.name, statement: PREPARED.text }]);
  });

  it('answers as manager.query does, in a transaction too: rows, or [rows, count] for an UPDATE', async () => {
    expect(await BUMP.run(t.dataSource.manager, [1])).toEqual([[{ n: 1 }], 1]);
    const inside = await t.dataSource.transaction(async (manager) => {
      const bumped = await BUMP.run(manager, [1]);
      const seen = await manager.query(`SELECT n FROM prepared_probe WHERE id = 1`);
      return { bumped, seen };
    });
    expect(inside).toEqual({ bumped: [[{ n: 2 }], 1], seen: [{ n: 2 }] });
    expect(await BUMP.run(t.dataSource.manager, [99])).toEqual([[], 0]);
  });

  it('fails as manager.query fails: a QueryFailedError with the SQLSTATE, and the connection stays usable', async () => {
    const failure = await FAILING.run(t.dataSource.manager, [0]).then(() => null, (err: unknown) => err);
    expect(failure).toBeInstanceOf(QueryFailedError);
    expect((failure as QueryFailedError & { driverError: { code: string } }).driverError.code).toBe('22012');
    expect(await FAILING.run(t.dataSource.manager, [1])).toEqual([{ quotient: 1 }]);
  });

  it('reads as its SQL text to TypeORM loggers', () => {
    expect(t.log.statements).toContain(PREPARED.text.replace(/\s+/g, ' ').trim());
  });

  it('is planned once for all values: the pool\'s connections use generic plans for named statements', async () => {
    expect(await t.dataSource.query(`SELECT current_setting('plan_cache_mode') AS mode`)).toEqual([{ mode: 'force_generic_plan' }]);
    for (let i = 0; i < 3; i++) await PREPARED.run(t.dataSource.manager, [i]);
    const [plans] = await t.dataSource.query(`SELECT generic_plans, custom_plans FROM pg_prepared_statements WHERE name = $1`, [PREPARED.name]) as Array<{
      generic_plans: string; custom_plans: string;
    }>;
    expect(Number(plans.custom_plans)).toBe(0);
    expect(Number(plans.generic_plans)).toBeGreaterThanOrEqual(3);
  });
});
