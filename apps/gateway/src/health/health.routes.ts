import type { FastifyInstance } from 'fastify';
import type { ReadinessReport } from '#runtime';
import { sendJson } from '../raw-reply.js';
import { HEALTH } from './instance.js';

/** The probes of API.md: /health while the process runs, /ready while PostgreSQL and Redis answer (503 naming the one that does not). */
export function registerHealthRoutes(fastify: FastifyInstance, checkReady: () => Promise<ReadinessReport>): void {
  fastify.get('/health', (_request, reply) => sendJson(reply, 200, HEALTH));
  fastify.get('/ready', (_request, reply) => {
    checkReady().then(
      ({ ready, body }) => sendJson(reply, ready ? 200 : 503, body),
      (err: unknown) => reply.send(err),
    ).catch(() => reply.raw.destroy());
  });
}
