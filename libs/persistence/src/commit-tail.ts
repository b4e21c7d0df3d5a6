import { escapeLiteral, type ClientBase, type QueryResult } from 'pg';
import { QueryFailedError, type QueryRunner } from 'typeorm';
import type { PreparedStatement } from './prepared.js';

/** A value of a held statement, as node-postgres would send it: text, a number, a boolean, null, or a flat array of those. */
export type TailValue = string | number | boolean | null | ReadonlyArray<string | number | boolean | null>;

/** A pg connection as node-postgres keeps it: the named statements PostgreSQL has parsed on it. */
interface PgConnection extends ClientBase {
  connection?: { parsedStatements?: Record<string, string> };
}

/** A statement of a tail: its text, values inlined as escaped literals, and who wants the rows it returns. */
interface TailStatement {
  text: string;
  rows?: (rows: unknown[]) => void;
}

const TAILS = new WeakMap<QueryRunner, CommitTail>();

/**
 * The statements of a transaction that nothing in it reads back before it commits (its outbox
 * events), held until its end and sent with its last statement and its COMMIT in one
 * simple-protocol message: one round trip for what was one each. A held PreparedStatement goes as
 * `EXECUTE <name>(<values>)` of the statement the connection already has parsed, so PostgreSQL
 * plans it once per connection there too; values are inlined as escaped literals (pg's
 * escapeLiteral), and the texts are joined in the order they were added. A statement that fails aborts the message
 * there: nothing after it runs, the transaction is left failed and the caller rolls it back, so
 * the change and its tail commit together or not at all.
 */
export class CommitTail {
  private statements: TailStatement[] = [];

  private constructor(private readonly runner: QueryRunner) {}

  /** A tail for the transaction of `runner`, found by `of` until the runner is gone. */
  static open(runner: QueryRunner): CommitTail {
    const tail = new CommitTail(runner);
    TAILS.set(runner, tail);
    return tail;
  }

  /** The tail opened for this runner's transaction, if one was. */
  static of(runner: QueryRunner | undefined): CommitTail | undefined {
    const tail = runner ? TAILS.get(runner) : undefined;
    return tail && runner?.isTransactionActive ? tail : undefined;
  }

  /** Holds `text` until send; `rows` gets what it returned once the message ran. */
  add(text: string, rows?: (rows: unknown[]) => void): void {
    this.statements.push({ text, rows });
  }

  /**
   * Holds a run of `statement` with `params` until send, when this transaction's connection has
   * it parsed (node-postgres has run it there before); false otherwise, and the caller runs it
   * itself now, which parses it on the connection for the next time. An EXECUTE of text would
   * be planned on every call: a statement of this kind is never held as text.
   */
  hold(statement: PreparedStatement, params: readonly TailValue[], rows?: (rows: unknown[]) => void): boolean {
    const connection = (this.runner as unknown as { databaseConnection?: PgConnection }).databaseConnection;
    if (connection?.connection?.parsedStatements?.[statement.name] !== statement.text) return false;
    this.add(`EXECUTE ${statement.name}(${params.map(literalOf).join(', ')})`, rows);
    return true;
  }

  get size(): number {
    return this.statements.length;
  }

  /**
   * Sends what was added, then `last` and, with `commit`, COMMIT, as one message on the
   * transaction's connection, through TypeORM's logger as any statement; errors are
   * QueryFailedError with the driver's error, as from `manager.query`. Nothing to send is no
   * round trip.
   */
  async send(options: { last?: string; commit: boolean }): Promise<void> {
    const statements = this.statements;
    this.statements = [];
    const texts = [...statements.map((s) => s.text), ...(options.last ? [options.last] : []), ...(options.commit ? ['COMMIT'] : [])];
    if (texts.length === 0) return;
    const text = texts.join(';\n');
    const runner = this.runner;
    const logger = runner.connection.logger;
    logger.logQuery(text, [], runner);
    // The runner's own connection (its transaction's); TypeORM's query() keeps only the last result of a message.
    const client = (await runner.connect()) as ClientBase;
    let results: QueryResult | QueryResult[];
    try {
      results = (await client.query(text)) as unknown as QueryResult | QueryResult[];
    } catch (err) {
      logger.logQueryError(err as Error, text, [], runner);
      throw new QueryFailedError(text, [], err as Error);
    }
    const each = Array.isArray(results) ? results : [results];
    statements.forEach((statement, i) => statement.rows?.(each[i]?.rows ?? []));
  }
}

/** A value as an SQL literal of unknown type, which EXECUTE casts to its parameter's type. */
function literalOf(value: TailValue): string {
  if (value === null) return 'NULL';
  if (Array.isArray(value)) return escapeLiteral(arrayLiteral(value));
  if (typeof value === 'number' && !Number.isFinite(value)) throw new Error(`A held statement cannot take ${value}`);
  return escapeLiteral(String(value));
}

/** PostgreSQL's array input form of a flat array: each element quoted, backslashes and quotes escaped, NULL unquoted. */
function arrayLiteral(values: ReadonlyArray<string | number | boolean | null>): string {
  const element = (v: string | number | boolean | null) => (v === null ? 'NULL' : `"${String(v).replace(/[\\"]/g, (c) => `\\${c}`)}"`);
  return `{${values.map(element).join(',')}}`;
}
