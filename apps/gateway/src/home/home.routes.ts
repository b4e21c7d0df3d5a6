import type { FastifyInstance } from 'fastify';
import { sendJson, sendNoRoute } from '../raw-reply.js';

/**
 * `/` on the gateway: a pointer for whoever opens it in a browser or with curl. The gateway's own
 * OpenAPI document (/openapi.json) describes the serve routes and probes; the registry's (its
 * /api/docs-json) covers how prompts, environments and API keys are made.
 */
export const GATEWAY_HOME = Object.freeze({
  service: 'gateway',
  description: 'Promptgate gateway: serves the approved version of a prompt to applications holding an API key.',
  routes: {
    serve: 'GET /v1/serve/{key}?vars=name=value (repeatable; &format=json for JSON, &version=N to pin a version)',
    serve_long: 'POST /v1/serve/{key} with {"variables": {"name": "value"}}',
    auth: 'authorization: Bearer <API key issued by the registry>',
  },
  docs: {
    serve: 'docs/API.md (section "Gateway") in the Promptgate repository',
    openapi: 'GET /openapi.json: this gateway\'s OpenAPI document',
    registry_openapi: 'the registry\'s /api/docs-json (Swagger UI at /api/docs), e.g. http://localhost:3000/api/docs-json',
  },
  probes: ['/health', '/ready'],
});

export function registerHomeRoutes(fastify: FastifyInstance): void {
  fastify.get('/', (request, reply) => {
    // find-my-way also takes the asterisk form (`GET *`) for `/`; that is no route.
    if (request.url.split('?')[0] !== '/') return sendNoRoute(request, reply);
    sendJson(reply, 200, GATEWAY_HOME);
  });
}
