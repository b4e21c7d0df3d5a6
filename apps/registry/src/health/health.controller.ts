import { Controller, Get, Res } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { Redis } from 'ioredis';
import { DataSource } from 'typeorm';
import { HEALTH } from './instance.js';
import { AppLogger, checkReadiness } from '#runtime';
import type { HttpResponse as Response } from '../common/http.js';
import { Public } from '../identity/public.decorator.js';

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
  health() {
    return HEALTH;
  }

  @Get('ready')
  async ready(@Res({ passthrough: true }) res: Response) {
    const { ready, body } = await checkReadiness(() => this.dataSource.query('SELECT 1'), this.redis, this.logger);
    res.status(ready ? 200 : 503);
    return body;
  }
}
