import { Controller, Get, Res } from '@nestjs/common';
import { ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { Redis } from 'ioredis';
import { DataSource } from 'typeorm';
import { HEALTH } from './instance.js';
import { AppLogger, checkReadiness } from '#runtime';
import type { HttpResponse as Response } from '../common/http.js';
import { Public } from '../identity/public.decorator.js';
import { ApiAnswer } from '../openapi/api-answers.js';
import { ref } from '../openapi/response-schemas.js';

/** Liveness and readiness, at the root (outside /api/v1) and without auth, for load balancers and orchestrators. */
@ApiTags('health')
@Public()
@Controller()
export class HealthController {
  constructor(
    private readonly dataSource: DataSource,
    private readonly redis: Redis,
    private readonly logger: AppLogger,
  ) {}

  @Get('health')
  @ApiOperation({ summary: 'Liveness', description: '200 while the process runs; no authentication.' })
  @ApiAnswer(200, 'Health', 'The process runs; instance is fixed per start.')
  health() {
    return HEALTH;
  }

  @Get('ready')
  @ApiOperation({ summary: 'Readiness', description: '200 when PostgreSQL and Redis both answer within a second, else 503; no authentication.' })
  @ApiAnswer(200, 'Readiness', 'PostgreSQL and Redis both answer within a second.')
  @ApiResponse({ status: 503, description: 'PostgreSQL or Redis does not answer: the check that is down.', content: { 'application/json': { schema: ref('Readiness') } } })
  async ready(@Res({ passthrough: true }) res: Response) {
    const { ready, body } = await checkReadiness(() => this.dataSource.query('SELECT 1'), this.redis, this.logger);
    res.status(ready ? 200 : 503);
    return body;
  }
}
