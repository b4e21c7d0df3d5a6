import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { NotFoundError } from '#domain';
import { WorkspaceEntity } from '#persistence';
import { WorkspaceAccess } from '../access/workspace-access.js';
import { AuditTrail } from '../audit/audit-trail.js';
import type { AuthenticatedUser } from '../identity/current-user.decorator.js';
import { createWorkspaceWithDefaults } from './create-workspace.js';
import { toWorkspaceView, type WorkspaceView } from './workspace.view.js';

@Injectable()
export class WorkspacesService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly access: WorkspaceAccess,
    private readonly audit: AuditTrail,
  ) {}

  async create(actor: AuthenticatedUser, name: string): Promise<WorkspaceView> {
    const { workspace } = await this.audit.transaction((work) =>
      createWorkspaceWithDefaults(work, { name, owner: actor, isPersonal: false }));
    return toWorkspaceView(workspace);
  }

  async get(userId: string, workspaceId: string): Promise<WorkspaceView> {
    await this.access.requireRole(userId, workspaceId, 'viewer');
    const workspace = await this.dataSource.manager.findOneBy(WorkspaceEntity, { id: workspaceId });
    if (!workspace) throw new NotFoundError('Workspace');
    return toWorkspaceView(workspace);
  }
}
