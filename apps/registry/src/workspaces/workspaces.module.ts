import { Module } from '@nestjs/common';
import { AccessModule } from '../access/access.module.js';
import { MembersService } from './members.service.js';
import { WorkspacesController } from './workspaces.controller.js';
import { WorkspacesService } from './workspaces.service.js';

@Module({
  imports: [AccessModule],
  controllers: [WorkspacesController],
  providers: [WorkspacesService, MembersService],
})
export class WorkspacesModule {}
