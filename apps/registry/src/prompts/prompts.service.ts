import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import {
  checkPromptKey, configChanges, ConflictError, ForbiddenError, lineDiff, messagesAsText, NotFoundError, readModelConfig, readPromptBody,
  readPromptType, roleAtLeast, ValidationError, type ConfigChange, type DiffLine, type ModelConfig, type PromptBody, type PromptMessage, type Role,
} from '#domain';
import type { EnvironmentEntity, PromptEntity, PromptVersionEntity } from '#persistence';
import { WorkspaceAccess } from '../access/workspace-access.js';
import { AuditTrail } from '../audit/audit-trail.js';
import type { Page, PageRequest } from '../common/pagination.js';
import { presentPrompt, presentPromptListItem, type PromptListItem, type PromptView } from './prompt.view.js';
import { PromptsRepository } from './prompts.repository.js';
import { presentVersion, presentVersionSummary, type VersionSummaryView, type VersionView } from './version.view.js';

/** Who proposes: the authenticated user. */
export interface PromptActor {
  id: string;
  email: string;
}

/** A new version starts as a draft, or straight in review (promotion proposes for review). */
export type ProposedStatus = 'draft' | 'pending_review';

/** A version's body as stored: content for text, messages for chat (the other null), and its config. */
export interface StoredBody {
  content: string | null;
  messages: PromptMessage[] | null;
  config: ModelConfig;
}

/** The stored body of a version read back: the same columns as PromptBody plus its config. */
export function bodyOf(v: { content: string | null; messages: PromptMessage[] | null }): PromptBody {
  return v.messages === null ? { type: 'text', content: v.content ?? '' } : { type: 'chat', messages: v.messages };
}

/** What the request body of a create or a proposal carries, before it is read. */
export interface BodyInput {
  content?: unknown;
  messages?: unknown;
  config?: unknown;
}

export interface NewPrompt {
  environment: EnvironmentEntity;
  key: string;
  body: PromptBody;
  config: ModelConfig;
  description?: string | null;
  commitMessage?: string | null;
  actor: PromptActor;
  status?: ProposedStatus;
}

export interface NewVersion {
  promptId: string;
  body: PromptBody;
  /** Absent: the base version's config is carried over (`{}` when there is no base). */
  config?: ModelConfig;
  commitMessage?: string | null;
  actor: PromptActor;
  status?: ProposedStatus;
  /** Set by a rollback: the version whose body and config this one repeats. */
  rollbackOfVersionId?: string | null;
}

/** GET /versions/:id/diff: the version against the content that was live when it was proposed. */
export interface VersionDiffView {
  version_id: string;
  version_num: number;
  base_version_id: string | null;
  base_version_num: number | null;
  lines: DiffLine[];
  added: number;
  removed: number;
  config_changes: ConfigChange[];
}

/** What a diff compares: a text version's content, a chat version's messages rendered as text (API.md). */
const diffText = (content: string | null, messages: PromptMessage[] | null): string =>
  messages !== null ? messagesAsText(messages) : content ?? '';

const stored = (body: PromptBody, config: ModelConfig): StoredBody =>
  body.type === 'text' ? { content: body.content, messages: null, config } : { content: null, messages: body.messages, config };

/**
 * Prompts and their versions. The write methods take the caller's EntityManager so that the
 * review gate can create and propose inside its own transactions; they audit in that transaction.
 * Lock order, for every writer: the prompt row first, then the workspace's audit lock.
 */
@Injectable()
export class PromptsService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly access: WorkspaceAccess,
    private readonly audit: AuditTrail,
    private readonly prompts: PromptsRepository,
  ) {}

  /** The prompt with version 1; `409` when the key exists in the environment, `400` for a bad key. */
  async createPrompt(manager: EntityManager, input: NewPrompt): Promise<{ prompt: PromptEntity; version: PromptVersionEntity }> {
    const key = checkPromptKey(input.key);
    const { environment, actor } = input;
    const promptId = await this.prompts.insertPrompt(manager, {
      workspaceId: environment.workspaceId, environmentId: environment.id, key, type: input.body.type, description: input.description ?? null,
    });
    if (promptId === null) {
      throw new ConflictError(`A prompt with key "${key}" already exists in environment "${environment.name}".`);
    }
    const prompt = await this.prompts.getPrompt(promptId, manager);
    await this.audit.append(manager, {
      workspaceId: prompt.workspaceId, action: 'prompt.created', resourceType: 'prompt', resourceId: prompt.id,
      actorEmail: actor.email, extra: { key, environment_id: environment.id, environment_name: environment.name },
    });
    const version = await this.insertVersion(manager, prompt, {
      versionNum: 1, status: input.status ?? 'draft', ...stored(input.body, input.config),
      parentContent: null, parentMessages: null, parentConfig: null, baseVersionId: null,
      rollbackOfVersionId: null, commitMessage: input.commitMessage ?? null, actor,
    });
    return { prompt, version };
  }

  /**
   * A new version of the prompt, numbered last + 1 under the prompt's row lock (so numbers have no
   * gaps and no duplicates, however many propose at once), based on the version live right now.
   */
  async proposeVersion(manager: EntityManager, input: NewVersion): Promise<PromptVersionEntity> {
    if (!(await this.prompts.countNewVersion(manager, input.promptId))) throw new NotFoundError('Prompt');
    // Read after the lock is held: a fresh snapshot sees the live version the lock holder left.
    const prompt = await this.prompts.getPrompt(input.promptId, manager);
    if (prompt.type !== input.body.type) {
      // Callers read the body for the prompt's type; a mismatch here is a bug, never written.
      throw new ValidationError(`The prompt is a ${prompt.type} prompt; this version is ${input.body.type}.`);
    }
    const base = prompt.liveVersionId ? await this.prompts.getVersionBody(prompt.liveVersionId, manager) : null;
    return this.insertVersion(manager, prompt, {
      versionNum: prompt.lastVersionNum, status: input.status ?? 'draft', ...stored(input.body, input.config ?? base?.config ?? {}),
      parentContent: base?.content ?? null, parentMessages: base?.messages ?? null, parentConfig: base?.config ?? null, baseVersionId: base?.id ?? null,
      rollbackOfVersionId: input.rollbackOfVersionId ?? null, commitMessage: input.commitMessage ?? null, actor: input.actor,
    });
  }

  /**
   * The prompt and its environment when the caller holds `minRole` in its workspace. An unknown
   * prompt and one of a workspace the caller is not in are both `404`; a lower role is `403`.
   */
  async loadPromptForUser(
    userId: string,
    promptId: string,
    minRole: Role,
    manager: EntityManager = this.dataSource.manager,
  ): Promise<{ prompt: PromptEntity; environment: EnvironmentEntity }> {
    const prompt = await this.prompts.findPrompt(promptId, manager);
    if (!prompt) throw new NotFoundError('Prompt');
    await this.requireRoleFor(userId, prompt.workspaceId, minRole, 'Prompt', manager);
    return { prompt, environment: await this.prompts.environmentOf(prompt, manager) };
  }

  /** As loadPromptForUser, from a version id; `404` names the version. */
  async loadVersionForUser(
    userId: string,
    versionId: string,
    minRole: Role,
    manager: EntityManager = this.dataSource.manager,
  ): Promise<{ version: PromptVersionEntity; prompt: PromptEntity; environment: EnvironmentEntity }> {
    const version = await this.prompts.findVersion(versionId, manager);
    if (!version) throw new NotFoundError('Version');
    const prompt = await this.prompts.getPrompt(version.promptId, manager);
    await this.requireRoleFor(userId, prompt.workspaceId, minRole, 'Version', manager);
    return { version, prompt, environment: await this.prompts.environmentOf(prompt, manager) };
  }

  /** The one shape of a version (GET /versions/:id), with its last eval looked up. */
  async presentVersionOf(version: PromptVersionEntity, manager: EntityManager = this.dataSource.manager): Promise<VersionView> {
    const lastEval = version.lastEvalId ? await this.prompts.findLastEval(version.lastEvalId, manager) : null;
    return presentVersion(version, lastEval);
  }

  /** POST /environments/:env/prompts: `type` (text by default), then content or messages, and config (`{}` by default). */
  async create(
    actor: PromptActor,
    environmentId: string,
    input: BodyInput & { key: string; type?: unknown; description?: string | null; commitMessage?: string | null },
  ): Promise<{ prompt: PromptView; version: VersionView }> {
    return this.dataSource.transaction(async (manager) => {
      const environment = await this.access.requireEnvironmentRole(actor.id, environmentId, 'editor', manager);
      const key = checkPromptKey(input.key);
      const body = readPromptBody(readPromptType(input.type), input);
      const config = input.config === undefined ? {} : readModelConfig(input.config);
      const { prompt, version } = await this.createPrompt(manager, {
        environment, key, body, config, description: input.description, commitMessage: input.commitMessage, actor,
      });
      return { prompt: presentPrompt(prompt, null), version: await this.presentVersionOf(version, manager) };
    });
  }

  /** POST /prompts/:id/versions: content or messages, the one of the prompt's type; config carried over from the base when absent. */
  async propose(actor: PromptActor, promptId: string, input: BodyInput & { commitMessage?: string | null }): Promise<VersionView> {
    return this.dataSource.transaction(async (manager) => {
      const { prompt } = await this.loadPromptForUser(actor.id, promptId, 'editor', manager);
      const body = readPromptBody(prompt.type, input);
      const config = input.config === undefined ? undefined : readModelConfig(input.config);
      const version = await this.proposeVersion(manager, { promptId, body, config, commitMessage: input.commitMessage, actor });
      return this.presentVersionOf(version, manager);
    });
  }

  /** GET /environments/:env/prompts: one statement, never a version's content. */
  async listPrompts(userId: string, environmentId: string, search: string | null, page: PageRequest): Promise<Page<PromptListItem>> {
    await this.access.requireEnvironmentRole(userId, environmentId, 'viewer');
    return this.prompts.listPrompts(environmentId, search, page, presentPromptListItem);
  }

  /** GET /prompts/:id. */
  async getPrompt(userId: string, promptId: string): Promise<PromptView> {
    const { prompt } = await this.loadPromptForUser(userId, promptId, 'viewer');
    return this.presentPromptOf(prompt);
  }

  /** GET /environments/:env/prompts/by-key/:key: a key that cannot exist is simply not found. */
  async getPromptByKey(userId: string, environmentId: string, key: string): Promise<PromptView> {
    await this.access.requireEnvironmentRole(userId, environmentId, 'viewer');
    const prompt = await this.prompts.findPromptByKey(environmentId, key);
    if (!prompt) throw new NotFoundError('Prompt');
    return this.presentPromptOf(prompt);
  }

  /** The prompt with its live version's content (or messages) and config. */
  async presentPromptOf(prompt: PromptEntity, manager: EntityManager = this.dataSource.manager): Promise<PromptView> {
    if (!prompt.liveVersionId) return presentPrompt(prompt, null);
    const live = await this.prompts.getLiveContent(prompt.liveVersionId, manager);
    return presentPrompt(prompt, live.liveFrom
      ? { id: live.id, versionNum: live.versionNum, content: live.content, messages: live.messages, config: live.config, liveFrom: live.liveFrom }
      : null);
  }

  /** GET /prompts/:id/versions: newest first, keyset on version_num, without contents. */
  async listVersions(userId: string, promptId: string, page: PageRequest): Promise<Page<VersionSummaryView>> {
    const { prompt } = await this.loadPromptForUser(userId, promptId, 'viewer');
    const versions = await this.prompts.listVersions(promptId, page);
    const evalById = await this.prompts.lastEvalsOf(versions.items);
    return {
      items: versions.items.map((v) => presentVersionSummary(v, prompt.type, v.lastEvalId ? evalById.get(v.lastEvalId) ?? null : null)),
      next_cursor: versions.next_cursor,
    };
  }

  /** GET /versions/:id. */
  async getVersion(userId: string, versionId: string): Promise<VersionView> {
    const { version } = await this.loadVersionForUser(userId, versionId, 'viewer');
    return this.presentVersionOf(version);
  }

  /**
   * GET /versions/:id/diff: against the base's body (a chat version's messages rendered as text);
   * with no base every line is added. config_changes compares the base's config with this one's.
   */
  async diffVersion(userId: string, versionId: string): Promise<VersionDiffView> {
    const { version } = await this.loadVersionForUser(userId, versionId, 'viewer');
    const base = version.baseVersionId ? await this.prompts.findVersionNumber(version.baseVersionId) : null;
    return {
      version_id: version.id,
      version_num: version.versionNum,
      base_version_id: base?.id ?? null,
      base_version_num: base?.versionNum ?? null,
      ...lineDiff(diffText(version.parentContent, version.parentMessages), diffText(version.content, version.messages)),
      config_changes: configChanges(version.parentConfig ?? {}, version.config),
    };
  }

  private async requireRoleFor(userId: string, workspaceId: string, minRole: Role, what: string, manager: EntityManager): Promise<void> {
    const role = await this.access.roleOf(userId, workspaceId, manager);
    if (role === null) throw new NotFoundError(what);
    if (!roleAtLeast(role, minRole)) throw new ForbiddenError(`This needs the ${minRole} role or higher in the workspace.`);
  }

  private async insertVersion(
    manager: EntityManager,
    prompt: PromptEntity,
    v: StoredBody & {
      versionNum: number; status: ProposedStatus; parentContent: string | null; parentMessages: PromptMessage[] | null;
      parentConfig: ModelConfig | null; baseVersionId: string | null; rollbackOfVersionId: string | null; commitMessage: string | null;
      actor: PromptActor;
    },
  ): Promise<PromptVersionEntity> {
    const { actor, ...row } = v;
    const versionId = await this.prompts.insertVersion(manager, { ...row, promptId: prompt.id, proposedBy: actor.id });
    await this.audit.append(manager, {
      workspaceId: prompt.workspaceId, action: 'version.created', resourceType: 'version', resourceId: versionId,
      actorEmail: actor.email, extra: { version_num: v.versionNum, prompt_key: prompt.key },
    });
    return this.prompts.getVersion(versionId, manager);
  }
}
