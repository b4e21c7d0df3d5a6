import { ApiKeyEntity } from './api-key.entity.js';
import { AuditEntryEntity } from './audit-entry.entity.js';
import { EnvironmentEntity } from './environment.entity.js';
import { EvalRunEntity } from './eval-run.entity.js';
import { MembershipEntity } from './membership.entity.js';
import { PromptVersionEntity } from './prompt-version.entity.js';
import { PromptEntity } from './prompt.entity.js';
import { ProviderKeyEntity } from './provider-key.entity.js';
import { TestCaseEntity } from './test-case.entity.js';
import { UserEntity } from './user.entity.js';
import { WebhookDeliveryEntity, WebhookEntity } from './webhook.entity.js';
import { WorkspaceEntity } from './workspace.entity.js';

export * from './api-key.entity.js';
export * from './audit-entry.entity.js';
export * from './environment.entity.js';
export * from './eval-run.entity.js';
export * from './membership.entity.js';
export * from './prompt-version.entity.js';
export * from './prompt.entity.js';
export * from './provider-key.entity.js';
export * from './test-case.entity.js';
export * from './user.entity.js';
export * from './webhook.entity.js';
export * from './workspace.entity.js';

export const ENTITIES = [
  UserEntity, WorkspaceEntity, MembershipEntity, EnvironmentEntity, PromptEntity, PromptVersionEntity,
  EvalRunEntity, ApiKeyEntity, AuditEntryEntity, WebhookEntity, WebhookDeliveryEntity, ProviderKeyEntity, TestCaseEntity,
];
