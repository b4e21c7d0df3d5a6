import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import type { Provider } from '#contracts';
import { KeysetWindow, type Keyset, type Page, type PageRequest } from '../common/pagination.js';

/** A saved key as lists and answers show it: never the sealed key. */
export interface ProviderKeyRow {
  provider: Provider;
  last4: string;
  updated_at: Date;
}

/** One key a provider at most: the provider names the row. */
const PROVIDER_ORDER: Keyset<readonly ['text']> = { columns: ['provider'], shape: ['text'], direction: 'ASC' };

/** A workspace's sealed provider keys. */
@Injectable()
export class ProviderKeysRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** Saves the sealed key, replacing the provider's previous one. */
  async upsert(
    manager: EntityManager,
    key: { workspaceId: string; provider: Provider; sealed: string; last4: string; updatedBy: string },
  ): Promise<ProviderKeyRow> {
    const [saved] = (await manager.query(
      `INSERT INTO provider_keys (workspace_id, provider, key_encrypted, last4, updated_by, updated_at)
       VALUES ($1, $2, $3, $4, $5, now())
       ON CONFLICT (workspace_id, provider)
         DO UPDATE SET key_encrypted = EXCLUDED.key_encrypted, last4 = EXCLUDED.last4,
                       updated_by = EXCLUDED.updated_by, updated_at = EXCLUDED.updated_at
       RETURNING provider, last4, updated_at`,
      [key.workspaceId, key.provider, key.sealed, key.last4, key.updatedBy],
    )) as ProviderKeyRow[];
    return saved;
  }

  async list<Item>(workspaceId: string, page: PageRequest, present: (row: ProviderKeyRow) => Item): Promise<Page<Item>> {
    const window = new KeysetWindow(PROVIDER_ORDER, page);
    const params: unknown[] = [workspaceId];
    const after = window.afterSql(params);
    const rows = (await this.dataSource.query(
      `SELECT provider, last4, updated_at FROM provider_keys
        WHERE workspace_id = $1${after ? ` AND ${after}` : ''}
        ORDER BY ${window.orderSql()} LIMIT ${window.limitSql(params)}`,
      params,
    )) as ProviderKeyRow[];
    return window.pageOf(rows, (r) => [r.provider], present);
  }

  /** Deletes the provider's key; the last four of the deleted key, or null when none was saved. */
  async delete(manager: EntityManager, workspaceId: string, provider: Provider): Promise<string | null> {
    const [removed] = (await manager.query(
      `DELETE FROM provider_keys WHERE workspace_id = $1 AND provider = $2 RETURNING last4`,
      [workspaceId, provider],
    )) as [Array<{ last4: string }>, number];
    return removed.length === 0 ? null : removed[0].last4;
  }

  async findSealed(manager: EntityManager, workspaceId: string, provider: Provider): Promise<string | null> {
    const [row] = (await manager.query(
      `SELECT key_encrypted FROM provider_keys WHERE workspace_id = $1 AND provider = $2`,
      [workspaceId, provider],
    )) as Array<{ key_encrypted: string }>;
    return row?.key_encrypted ?? null;
  }
}
