import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * promptgate_refuse(sqlstate, message): raises, so that a statement that must not commit what it
 * did so far (its data-modifying parts all run) fails as a whole. A proposal made in one
 * autocommitted statement calls it when the statement could not insert the version it counted
 * (PSVNB: its snapshot predates the live version; see PROPOSE_VERSION), and the registry then makes
 * the proposal in a transaction of its own. VOLATILE, so the planner never folds it.
 */
export class StatementRefusal1765200000001 implements MigrationInterface {
  name = 'StatementRefusal1765200000001';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE FUNCTION promptgate_refuse(p_sqlstate text, p_message text) RETURNS boolean
      LANGUAGE plpgsql VOLATILE AS $$
      BEGIN
        RAISE EXCEPTION '%', p_message USING ERRCODE = p_sqlstate;
      END
      $$`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP FUNCTION IF EXISTS promptgate_refuse(text, text)`);
  }
}
