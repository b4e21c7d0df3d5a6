import { Module } from '@nestjs/common';
import { AccessModule } from '../access/access.module.js';
import { MembersRepository } from './members.repository.js';
import { MembersService } from './members.service.js';
import { WorkspacesController } from './workspaces.controller.js';
import { WorkspacesService } from './workspaces.service.js';

@Module({
  imports: [AccessModule],
  controllers: [WorkspacesController],
  providers: [WorkspacesService, MembersService, MembersRepository],
})
export class WorkspacesModule {}
