import { createHash } from 'node:crypto';
import type { EntityManager } from 'typeorm';

/**
 * A statement of the hot paths that PostgreSQL parses and plans once per connection rather than
 * on every call: node-postgres sends a named statement's Parse the first time a connection runs it
 * and only Bind and Execute after that, and PostgreSQL's plan cache moves to a generic plan after
 * five executions. On this project's writes the parse and plan were a third of PostgreSQL's time
 * for each statement (docs/BENCHMARKS.md, "Registry writes").
 *
 * Only for statements whose text is a constant of the code: each name stays prepared on every
 * connection of the pool for the connection's life, so a text built per call would grow every
 * backend's memory without bound. Select named columns rather than `*`: a prepared plan whose
 * result columns change under it (a migration adding a column while this process runs) fails
 * with "cached plan must not change result type".
 */
export class PreparedStatement {
  readonly name: string;

  constructor(readonly text: string) {
    // The name is the text's digest: the same text is the same statement on a connection, and two
    // texts never share a name (node-postgres refuses a name prepared with another text).
    this.name = `pg_${createHash('sha256').update(text).digest('hex').slice(0, 24)}`;
  }

  /**
   * Runs the statement through the manager (its transaction's connection when it has one, a pool
   * connection otherwise), as `manager.query` runs SQL: the same result shapes (rows, or `[rows,
   * count]` for UPDATE and DELETE), TypeORM's logging and query events, and errors as
   * QueryFailedError with the driver's error and SQLSTATE in `driverError`.
   */
  run<Row = unknown>(manager: EntityManager, params: readonly unknown[]): Promise<Row> {
    // node-postgres takes a query config ({ name, text }) where TypeORM passes its SQL string
    // through. One that still reads as the SQL text to TypeORM's loggers and query events: String's
    // methods are generic and read it through its own toString. Not a String object: node-postgres
    // copies a config's own properties on every call, a String object's are one per character.
    const text = this.text;
    const config = Object.create(String.prototype, {
      name: { value: this.name, enumerable: true },
      text: { value: text, enumerable: true },
      toString: { value: () => text },
      valueOf: { value: () => text },
    }) as object;
    return manager.query(config as unknown as string, [...params]) as Promise<Row>;
  }
}

/** A PreparedStatement of `text`; declare it once, at module level. */
export function preparedStatement(text: string): PreparedStatement {
  return new PreparedStatement(text);
}
