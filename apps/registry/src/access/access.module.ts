import { Module } from '@nestjs/common';
import { WorkspaceAccess } from './workspace-access.js';

/** Import into a feature module to inject WorkspaceAccess. */
@Module({ providers: [WorkspaceAccess], exports: [WorkspaceAccess] })
export class AccessModule {}
