import { InitialSchema1764000000000 } from './1764000000000-initial-schema.js';
import { ServeUsageBatches1764100000000 } from './1764100000000-serve-usage-batches.js';
import { OutboxEvents1764300000000 } from './1764300000000-outbox-events.js';
import { OutboxConsumptions1764400000000 } from './1764400000000-outbox-consumptions.js';
import { SearchAndFilterIndexes1764500000000 } from './1764500000000-search-and-filter-indexes.js';
import { AuditAppendFunction1764600000000 } from './1764600000000-audit-append-function.js';
import { ChatPrompts1764700000000 } from './1764700000000-chat-prompts.js';
import { TestCases1764800000000 } from './1764800000000-test-cases.js';
import { TestRunResults1764900000000 } from './1764900000000-test-run-results.js';
import { DashboardFields1765000000000 } from './1765000000000-dashboard-fields.js';
import { ReviewTargetFunction1765100000000 } from './1765100000000-review-target-function.js';
import { AuditPending1765100000001 } from './1765100000001-audit-pending.js';
import { AuditChainIdle1765200000000 } from './1765200000000-audit-chain-idle.js';
import { StatementRefusal1765200000001 } from './1765200000001-statement-refusal.js';

/** Every migration, in order. A new migration is appended here and never edited once shipped. */
export const MIGRATIONS = [
  InitialSchema1764000000000,
  ServeUsageBatches1764100000000,
  OutboxEvents1764300000000,
  OutboxConsumptions1764400000000,
  SearchAndFilterIndexes1764500000000,
  AuditAppendFunction1764600000000,
  ChatPrompts1764700000000,
  TestCases1764800000000,
  TestRunResults1764900000000,
  DashboardFields1765000000000,
  ReviewTargetFunction1765100000000,
  AuditPending1765100000001,
  AuditChainIdle1765200000000,
  StatementRefusal1765200000001,
];
