import { Module } from '@nestjs/common';
import { AccessModule } from '../access/access.module.js';
import { PromptsModule } from '../prompts/prompts.module.js';
import { TestCasesController } from './test-cases.controller.js';
import { TestCasesRepository } from './test-cases.repository.js';
import { TestCasesService } from './test-cases.service.js';

/** A prompt's test cases; exports the repository for promote (which copies them) and the test runs (which read them). */
@Module({
  imports: [AccessModule, PromptsModule],
  controllers: [TestCasesController],
  providers: [TestCasesService, TestCasesRepository],
  exports: [TestCasesRepository],
})
export class TestCasesModule {}
