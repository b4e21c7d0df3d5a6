import { Controller, Get, Inject, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import type { Redis } from 'ioredis';
import type pg from 'pg';
import { AppLogger, checkReadiness, DATABASE_POOL, REDIS } from '#runtime';
import { HEALTH } from './instance.js';

@Controller()
export class HealthController {
  constructor(
    @Inject(DATABASE_POOL) private readonly pool: pg.Pool,
    @Inject(REDIS) private readonly redis: Redis,
    private readonly logger: AppLogger,
  ) {}

  @Get('health')
  health() {
    return HEALTH;
  }

  @Get('ready')
  async ready(@Res({ passthrough: true }) reply: FastifyReply) {
    const { ready, body } = await checkReadiness(() => this.pool.query('SELECT 1'), this.redis, this.logger);
    if (!ready) reply.status(503);
    return body;
  }
}
