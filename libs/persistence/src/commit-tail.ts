import type { ClientBase, QueryResult } from 'pg';
import { QueryFailedError, type QueryRunner } from 'typeorm';

/** A statement of a tail: its text, values inlined as escaped literals, and who wants the rows it returns. */
interface TailStatement {
  text: string;
  rows?: (rows: unknown[]) => void;
}

const TAILS = new WeakMap<QueryRunner, CommitTail>();

/**
 * The statements of a transaction that nothing in it reads back before it commits (its outbox
 * events), held until its end and sent with its last statement and its COMMIT in one
 * simple-protocol message: one round trip for what was one each. Their values are inlined as
 * escaped literals (pg's escapeLiteral), so each text is built by its caller for that call, and
 * the texts are joined in the order they were added. A statement that fails aborts the message
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
