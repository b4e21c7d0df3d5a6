import { Writable } from 'node:stream';
import { AppLogger } from './logger.js';

function capture(level: 'info' | 'debug'): { logger: AppLogger; lines: Array<Record<string, unknown>> } {
  const lines: Array<Record<string, unknown>> = [];
  const sink = new Writable({ write(c, _e, done) { lines.push(JSON.parse(String(c)) as Record<string, unknown>); done(); } });
  return { logger: AppLogger.create(level, 'registry', sink), lines };
}

describe("AppLogger and Nest's start-up narration", () => {
  it('logs module loading and route mapping at debug, so an info log stays quiet', () => {
    const { logger, lines } = capture('info');
    logger.log('Starting Nest application...', 'NestFactory');
    logger.log('CoreModule dependencies initialized', 'InstanceLoader');
    logger.log('HealthController {/}:', 'RoutesResolver');
    logger.log('Mapped {/health, GET} route', 'RouterExplorer');
    logger.log('Nest application successfully started', 'NestApplication');
    logger.log('outbox relay started', 'Outbox');
    expect(lines.map((l) => [l.level, l.msg, l.context])).toEqual([['info', 'outbox relay started', 'Outbox']]);
  });

  it('still shows them at debug', () => {
    const { logger, lines } = capture('debug');
    logger.log('Mapped {/health, GET} route', 'RouterExplorer');
    expect(lines.map((l) => [l.level, l.msg])).toEqual([['debug', 'Mapped {/health, GET} route']]);
  });

  it('keeps warnings and errors from those contexts at their own level', () => {
    const { logger, lines } = capture('info');
    logger.warn('something odd', 'NestFactory');
    logger.error('it broke', 'NestApplication');
    expect(lines.map((l) => l.level)).toEqual(['warn', 'error']);
  });
});
