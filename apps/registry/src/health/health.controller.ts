import { Controller, Get, Res } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import type { HttpResponse as Response } from '../common/http.js';
import { Redis } from 'ioredis';
import { DataSource } from 'typeorm';
import { withTimeout } from '../common/redis.module.js';
import { Public } from '../identity/public.decorator.js';

const CHECK_TIMEOUT_MS = 1500;

async function answers(check: () => Promise<unknown>): Promise<boolean> {
  try {
    await withTimeout(check(), CHECK_TIMEOUT_MS);
    return true;
  } catch {
    return false;
  }
}

/** Liveness and readiness, at the root (outside /api/v1) and without auth, for load balancers and orchestrators. */
@ApiTags('health')
@Public()
@Controller()
export class HealthController {
  constructor(
    private readonly dataSource: DataSource,
    private readonly redis: Redis,
  ) {}

  @Get('health')
  health() {
    return { status: 'ok' };
  }

  @Get('ready')
  async ready(@Res({ passthrough: true }) res: Response) {
    const [postgres, redis] = await Promise.all([
      answers(() => this.dataSource.query('SELECT 1')),
      // While disconnected the client would queue the PING; say "down" at once instead.
      this.redis.status === 'ready' ? answers(() => this.redis.ping()) : Promise.resolve(false),
    ]);
    const ready = postgres && redis;
    res.status(ready ? 200 : 503);
    return {
      status: ready ? 'ready' : 'unavailable',
      checks: { postgres: postgres ? 'ok' : 'down', redis: redis ? 'ok' : 'down' },
    };
  }
}
