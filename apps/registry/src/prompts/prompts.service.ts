import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import {
  checkPromptKey, configChanges, ConflictError, ForbiddenError, lineDiff, messagesAsText, NotFoundError, readModelConfig, readPromptBody,
  readPromptType, roleAtLeast, rolesAtLeast, ValidationError, type ConfigChange, type DiffLine, type ModelConfig, type PromptBody, type PromptMessage,
  type Role,
} from '#domain';
import type { EnvironmentEntity, PromptEntity, PromptVersionEntity } from '#persistence';
import { WorkspaceAccess } from '../access/workspace-access.js';
import { AuditTrail, type AuditedWork } from '../audit/audit-trail.js';
import type { Page, PageRequest } from '../common/pagination.js';
import { presentPrompt, presentPromptListItem, type PromptListItem, type PromptView } from './prompt.view.js';
import { PromptsRepository } from './prompts.repository.js';
import {
  peopleIdsOf, presentVersion, presentVersionSummary, type PersonView, type VersionSummaryView, type VersionView,
} from './version.view.js';

const EDITOR_OR_ABOVE = rolesAtLeast('editor');

/** Who proposes: the authenticated user. */
export interface PromptActor {
  id: string;
  email: string;
  /** Known when the actor is the authenticated user: a version they propose then names them without a lookup. */
  name?: string | null;
}

/** The actor as a version names them, when their name is known. */
export const personOfActor = (actor: PromptActor): PersonView | null =>
  actor.name === undefined ? null : { id: actor.id, email: actor.email, name: actor.name };

/** What `read` reads, or undefined when it refuses the input (a ValidationError); any other error is thrown. */
function wellFormed<T>(read: () => T): T | undefined {
  try {
    return read();
  } catch (err) {
    if (err instanceof ValidationError) return undefined;
    throw err;
  }
}

/** A new version starts as a draft, or straight in review (promotion proposes for review). */
export type ProposedStatus = 'draft' | 'pending_review';

/** The body of a version read back as the domain's PromptBody: messages for chat, content for text. */
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

/**
 * Prompts and their versions. The write methods take the caller's audited work so that the review
 * gate can create and propose inside its own transactions; they record their audit entries in it.
 * Lock order, for every writer: the prompt row first, then (at the end) the workspace's audit lock.
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
  async createPrompt(work: AuditedWork, input: NewPrompt): Promise<{ prompt: PromptEntity; version: PromptVersionEntity }> {
    const { manager } = work;
    const key = checkPromptKey(input.key);
    const { environment, actor } = input;
    const prompt = await this.prompts.insertPrompt(manager, {
      workspaceId: environment.workspaceId, environmentId: environment.id, key, type: input.body.type, description: input.description ?? null,
    });
    if (prompt === null) {
      throw new ConflictError(`A prompt with key "${key}" already exists in environment "${environment.name}".`);
    }
    work.audit({
      workspaceId: prompt.workspaceId, action: 'prompt.created', resourceType: 'prompt', resourceId: prompt.id,
      actorEmail: actor.email, extra: { key, environment_id: environment.id, environment_name: environment.name },
    });
    const version = await this.insertVersion(work, prompt, {
      status: input.status, body: input.body, config: input.config, commitMessage: input.commitMessage, actor,
    });
    return { prompt, version };
  }

  /**
   * A new version of the prompt, numbered last + 1 under the prompt's row lock (so numbers have no
   * gaps and no duplicates, however many propose at once), based on the version live right now.
   */
  async proposeVersion(work: AuditedWork, input: NewVersion): Promise<PromptVersionEntity> {
    const { prompt } = await this.prompts.countNewVersion(work.manager, input.promptId);
    if (!prompt) throw new NotFoundError('Prompt');
    return this.insertVersion(work, prompt, input);
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

  /**
   * The one shape of a version (GET /versions/:id), with its last eval and its people looked up in
   * one statement; `known` (the actor) is not looked up.
   */
  async presentVersionOf(
    version: PromptVersionEntity,
    manager: EntityManager = this.dataSource.manager,
    known: PersonView | null = null,
  ): Promise<VersionView> {
    const ids = peopleIdsOf(version).filter((id) => id !== known?.id);
    const { lastEval, people } = await this.prompts.lastEvalAndPeople(version.lastEvalId, ids, manager);
    const byId = new Map(people.map((p) => [p.id, p]));
    if (known) byId.set(known.id, known);
    return presentVersion(version, lastEval, byId);
  }

  /** POST /environments/:env/prompts: `type` (text by default), then content or messages, and config (`{}` by default). */
  async create(
    actor: PromptActor,
    environmentId: string,
    input: BodyInput & { key: string; type?: unknown; description?: string | null; commitMessage?: string | null },
  ): Promise<{ prompt: PromptView; version: VersionView }> {
    return this.audit.transaction(async (work) => {
      const { manager } = work;
      const environment = await this.access.requireEnvironmentRole(actor.id, environmentId, 'editor', manager);
      const key = checkPromptKey(input.key);
      const body = readPromptBody(readPromptType(input.type), input);
      const config = input.config === undefined ? {} : readModelConfig(input.config);
      const { prompt, version } = await this.createPrompt(work, {
        environment, key, body, config, description: input.description, commitMessage: input.commitMessage, actor,
      });
      return { prompt: presentPrompt(prompt, null), version: await this.presentVersionOf(version, manager, personOfActor(actor)) };
    });
  }

  /**
   * POST /prompts/:id/versions: the role check, the prompt's row lock and count, the insert and its
   * audit entry in one autocommitted statement when the body and config are well formed
   * (PromptsRepository.proposeInOneStatement), then the chain. When that statement cannot make it
   * (a live version newer than its snapshot, a body of the other type), or the body or config is
   * not well formed, a transaction: the role check and the lock first, so a caller without access
   * learns nothing from a bad body (404 or 403 before 400). The body is content or messages, the
   * one of the prompt's type; without config the base's is carried over.
   */
  async propose(actor: PromptActor, promptId: string, input: BodyInput & { commitMessage?: string | null }): Promise<VersionView> {
    const body = wellFormed(() => readPromptBody(input.messages !== undefined && input.messages !== null ? 'chat' : 'text', input));
    const config = input.config === undefined ? null : wellFormed(() => readModelConfig(input.config));
    if (body === undefined || config === undefined) return this.proposeChecked(actor, promptId, input);
    const versionId = randomUUID();
    const entry = this.audit.versionEntryForStatement('version.created', versionId, actor.email);
    const proposed = await this.prompts.proposeInOneStatement(this.dataSource.manager, {
      promptId, userId: actor.id, roles: EDITOR_OR_ABOVE, body, config, commitMessage: input.commitMessage ?? null, versionId,
      actorEmail: actor.email, entry,
    });
    if (proposed.outcome !== 'proposed') {
      if (proposed.outcome === 'not_found') throw new NotFoundError('Prompt');
      if (proposed.outcome === 'forbidden') throw new ForbiddenError('This needs the editor role or higher in the workspace.');
      return this.proposeChecked(actor, promptId, input);
    }
    await this.audit.chainAfterStatement(proposed.prompt.workspaceId);
    return this.presentVersionOf(proposed.version, this.dataSource.manager, personOfActor(actor));
  }

  /** POST /prompts/:id/versions in a transaction: 404 and 403 first, then the 400 of the body, then the insert in a statement of its own. */
  private proposeChecked(actor: PromptActor, promptId: string, input: BodyInput & { commitMessage?: string | null }): Promise<VersionView> {
    return this.audit.transaction(async (work) => {
      const counted = await this.prompts.countNewVersion(work.manager, promptId, { userId: actor.id, roles: EDITOR_OR_ABOVE });
      if (!counted.found || counted.role === null) throw new NotFoundError('Prompt');
      if (!counted.prompt) throw new ForbiddenError('This needs the editor role or higher in the workspace.');
      const body = readPromptBody(counted.prompt.type, input);
      const config = input.config === undefined ? undefined : readModelConfig(input.config);
      const version = await this.insertVersion(work, counted.prompt, { body, config, commitMessage: input.commitMessage, actor });
      return this.presentVersionOf(version, work.manager, personOfActor(actor));
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
    const people = await this.prompts.peopleOf(versions.items.flatMap(peopleIdsOf));
    return {
      items: versions.items.map((v) => presentVersionSummary(v, prompt.type, v.lastEvalId ? evalById.get(v.lastEvalId) ?? null : null, people)),
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
    { manager, audit }: AuditedWork,
    prompt: PromptEntity,
    v: {
      status?: ProposedStatus; body: PromptBody; config?: ModelConfig; rollbackOfVersionId?: string | null; commitMessage?: string | null;
      actor: PromptActor;
    },
  ): Promise<PromptVersionEntity> {
    // Callers read the body for the prompt's type (readPromptBody, or a version of the same prompt); a mismatch is never written.
    if (prompt.type !== v.body.type) throw new ValidationError(`"${prompt.key}" is a ${prompt.type} prompt; this version is ${v.body.type}.`);
    const version = await this.prompts.insertVersion(manager, {
      promptId: prompt.id, versionNum: prompt.lastVersionNum, status: v.status ?? 'draft',
      content: v.body.type === 'text' ? v.body.content : null, messages: v.body.type === 'chat' ? v.body.messages : null, config: v.config ?? null,
      rollbackOfVersionId: v.rollbackOfVersionId ?? null, commitMessage: v.commitMessage ?? null, proposedBy: v.actor.id,
    }, prompt.liveVersionId);
    this.auditVersionCreated({ manager, audit }, prompt, version, v.actor);
    return version;
  }

  private auditVersionCreated({ audit }: AuditedWork, prompt: PromptEntity, version: PromptVersionEntity, actor: PromptActor): void {
    audit({
      workspaceId: prompt.workspaceId, action: 'version.created', resourceType: 'version', resourceId: version.id,
      actorEmail: actor.email, extra: { version_num: version.versionNum, prompt_key: prompt.key },
    });
  }
}
