import { execFile } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import Fastify, { type FastifyInstance } from 'fastify';
import request from 'supertest';
import ts from 'typescript';
import { registerGatewayRoutes, type GatewayDependencies } from '../apps/gateway/src/gateway.routes.js';
import { generateClientTypes, lintOpenApi, validateOpenApi } from './support/openapi-checks.js';
import { schemaProblems, type OpenApiSchema } from './support/openapi-schema.js';
import { createClient, scriptedWorkflow, type SeenAnswer } from './support/openapi-workflow.js';
import type { paths as RegistryPaths } from './support/openapi-registry-client.js';
import { bootStack, type Stack } from './support/stack.js';

/**
 * The machine-readable contract: the registry's and the gateway's OpenAPI documents, fetched from
 * the running apps, are valid, lint clean, list exactly the routes each app registers, and describe
 * what the servers answer; a client generated from them type-checks (and runs) a scripted workflow.
 */

const run = promisify(execFile);
const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const SUPPORT = join(ROOT, 'test', 'support');
const CLIENTS = { registry: 'openapi-registry-client.ts', gateway: 'openapi-gateway-client.ts' } as const;
const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'patch'] as const;
/**
 * Swagger UI's page and assets and the YAML copy of the document are SwaggerModule's, not the API's;
 * the HTML page at `/` is for browsers and kept out of the document on purpose (apps/registry/test/home.e2e-spec.ts).
 */
const NOT_API = (path: string) => path === '/' || path === '/api/docs' || path.startsWith('/api/docs/') || path === '/api/docs-yaml';

interface Operation {
  operationId?: string;
  parameters?: Array<{ name: string; in: string; schema?: OpenApiSchema }>;
  requestBody?: { content: Record<string, { schema: OpenApiSchema }> };
  responses: Record<string, { content?: Record<string, { schema: OpenApiSchema }>; $ref?: string }>;
  security?: unknown[];
}
interface Document extends OpenApiSchema {
  paths: Record<string, Partial<Record<(typeof HTTP_METHODS)[number], Operation>>>;
  components: { schemas: Record<string, OpenApiSchema> };
}

function operations(doc: Document): Array<[string, Operation]> {
  return Object.entries(doc.paths).flatMap(([path, item]) =>
    HTTP_METHODS.flatMap((m) => (item[m] ? [[`${m.toUpperCase()} ${path}`, item[m]] as [string, Operation]] : [])));
}

const normal = (method: string, path: string) => `${method.toUpperCase()} ${path.replace(/:([A-Za-z]+)/g, '{$1}')}`;

/** Fastify's printRoutes tree (commonPrefix: false) as "METHOD /path" lines, HEAD left out. */
async function fastifyRoutes(register: (fastify: FastifyInstance) => void): Promise<string[]> {
  const routes: string[] = [];
  const fastify = Fastify({ logger: false });
  fastify.addHook('onRoute', (route) => {
    // A probe path's refusal of other methods (405) is no operation.
    if ((route.config as { methodNotAllowed?: boolean } | undefined)?.methodNotAllowed) return;
    for (const method of [route.method].flat()) if (method !== 'HEAD') routes.push(normal(method, route.url));
  });
  register(fastify);
  await fastify.ready();
  await fastify.close();
  return routes;
}

/**
 * Type-checks the workflow in `dir` (with the client files there) with `tsc --noEmit`, strict, as the
 * project compiles; the diagnostics. A child process, so the event loop (and its sockets) keeps running.
 */
async function typeCheck(dir: string): Promise<string[]> {
  writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify({
    compilerOptions: {
      target: 'ES2022', lib: ['ES2023'], module: 'nodenext', moduleResolution: 'nodenext', strict: true, noEmit: true,
      isolatedModules: true, skipLibCheck: true, types: ['node'], typeRoots: [join(ROOT, 'node_modules', '@types')],
    },
    files: ['openapi-workflow.ts'],
  }));
  try {
    await run(process.execPath, [join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', join(dir, 'tsconfig.json')], { cwd: dir });
    return [];
  } catch (err) {
    const out = String((err as { stdout?: unknown }).stdout ?? err);
    return out.split('\n').filter((l) => l.includes('error TS'));
  }
}

/** Casts (`as`, `<T>x`, `x!`) in a TypeScript source. */
function castsIn(source: string): string[] {
  const file = ts.createSourceFile('workflow.ts', source, ts.ScriptTarget.ES2022, true);
  const casts: string[] = [];
  const visit = (node: ts.Node) => {
    if (ts.isAsExpression(node) || ts.isTypeAssertionExpression(node) || ts.isNonNullExpression(node) || ts.isSatisfiesExpression(node)) casts.push(node.getText());
    node.forEachChild(visit);
  };
  visit(file);
  return casts;
}

describe('the OpenAPI documents', () => {
  let stack: Stack;
  let registryUrl: string;
  let registryDoc: Document;
  let gatewayDoc: Document;

  beforeAll(async () => {
    stack = await bootStack({ gateways: 1 });
    const server = stack.registry.http as Server;
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
    const address = server.address();
    if (address === null || typeof address === 'string') throw new Error('the registry did not listen');
    registryUrl = `http://127.0.0.1:${address.port}`;
    const [r, g] = await Promise.all([fetch(`${registryUrl}/api/docs-json`), fetch(`${stack.gateways[0].url}/openapi.json`)]);
    expect([r.status, g.status]).toEqual([200, 200]);
    expect(g.headers.get('content-type')).toMatch(/^application\/json/);
    registryDoc = (await r.json()) as Document;
    gatewayDoc = (await g.json()) as Document;
  });
  afterAll(async () => {
    await stack?.close();
  });

  it('the gateway serves its document as its other probes: GET and HEAD only, with the security headers', async () => {
    // supertest: a connection per request, so none is left in fetch's pool after the 405.
    const gateway = request(stack.gateways[0].url);
    const [get, head, post] = [await gateway.get('/openapi.json'), await gateway.head('/openapi.json'), await gateway.post('/openapi.json')];
    expect([get.status, head.status, post.status]).toEqual([200, 200, 405]);
    expect(post.headers.allow).toBe('GET, HEAD');
    expect(get.headers['x-content-type-options']).toBe('nosniff');
    expect(get.body).toEqual(gatewayDoc);
  });

  it.each(['registry', 'gateway'] as const)('the %s document is valid OpenAPI', async (app) => {
    await expect(validateOpenApi(app === 'registry' ? registryDoc : gatewayDoc)).resolves.toBeUndefined();
  });

  it('both documents lint with no error under spectral:oas, and the only warning left is the gateway\'s missing contact', async () => {
    const registry = await lintOpenApi(registryDoc, 'registry.json');
    const gateway = await lintOpenApi(gatewayDoc, 'gateway.json');
    expect({ registry: registry.errors, gateway: gateway.errors }).toEqual({ registry: [], gateway: [] });
    expect(registry.warnings).toEqual([]);
    // Promptgate is self-hosted: there is no one contact to name.
    expect(gateway.warnings.map((w) => w.split(' ')[0])).toEqual(['info-contact']);
  });

  it('the lint is not blind: an unresolvable $ref and a duplicate operationId are errors', async () => {
    const broken = structuredClone(gatewayDoc);
    broken.paths['/health'].get!.operationId = 'ready';
    (broken.paths['/ready'].get!.responses['200'].content!['application/json'].schema as { $ref: string }).$ref = '#/components/schemas/Nope';
    const report = await lintOpenApi(broken, 'broken.json');
    expect(report.errors.map((e) => e.split(' ')[0])).toEqual(expect.arrayContaining(['operation-operationId-unique', 'invalid-ref']));
  });

  it('documents every route the registry registers, and nothing it does not', () => {
    const layers = (stack.registry.app.getHttpAdapter().getInstance() as { router: { stack: Array<{ route?: { path: string; methods: Record<string, boolean> } }> } }).router.stack;
    const routes = layers.flatMap((l) => {
      if (!l.route || l.route.methods._all || Object.keys(l.route.methods).length > 10 || NOT_API(l.route.path)) return [];
      return Object.keys(l.route.methods).map((m) => normal(m, l.route!.path));
    });
    expect(routes.length).toBeGreaterThan(40);
    expect(operations(registryDoc).map(([op]) => op).sort()).toEqual([...new Set(routes)].sort());
  });

  it('documents every route the gateway registers, and nothing it does not', async () => {
    // registerGatewayRoutes is the one place the gateway's composition root registers routes.
    const routes = await fastifyRoutes((f) => registerGatewayRoutes(f, {} as GatewayDependencies));
    expect(routes).toEqual(expect.arrayContaining(['GET /', 'GET /health', 'GET /ready', 'GET /openapi.json', 'GET /v1/serve/{key}', 'POST /v1/serve/{key}']));
    expect(operations(gatewayDoc).map(([op]) => op).sort()).toEqual([...new Set(routes)].sort());
  });

  it.each(['registry', 'gateway'] as const)('the %s document gives every operation an answer schema and its errors in the one ErrorResponse shape', (app) => {
    const doc = app === 'registry' ? registryDoc : gatewayDoc;
    const problems: string[] = [];
    for (const [op, operation] of operations(doc)) {
      const statuses = Object.keys(operation.responses);
      const success = statuses.filter((s) => /^2/.test(s));
      if (success.length === 0) problems.push(`${op}: no success answer`);
      for (const s of success) if (s !== '204' && !operation.responses[s].content) problems.push(`${op}: ${s} has no schema`);
      if (!statuses.includes('500')) problems.push(`${op}: no 500`);
      if (operation.security?.length && !statuses.some((s) => s === '401')) problems.push(`${op}: authenticated without a 401`);
      for (const s of statuses.filter((x) => /^[45]/.test(x))) {
        const schema = JSON.stringify(operation.responses[s].content?.['application/json']?.schema ?? {});
        if (!schema.includes('#/components/schemas/ErrorResponse') && !(s === '503' && schema.includes('Readiness'))) problems.push(`${op}: ${s} is not an ErrorResponse`);
      }
    }
    expect(problems).toEqual([]);
  });

  it('names the registry\'s specific error codes where they are answered', () => {
    const codes = (path: string, method: 'post' | 'get', status: string): unknown => {
      const schema = registryDoc.paths[path][method]!.responses[status].content!['application/json'].schema as { allOf: Array<{ properties?: { error: { properties: { code: { enum: string[] } } } } }> };
      return schema.allOf[1].properties!.error.properties.code.enum;
    };
    expect(codes('/api/v1/versions/{id}/approve', 'post', '409')).toEqual(['invalid_transition', 'stale_base']);
    expect(codes('/api/v1/versions/{id}/approve', 'post', '403')).toEqual(['forbidden', 'self_approval']);
    expect(codes('/api/v1/versions/{id}/approve', 'post', '422')).toEqual(['eval_required', 'eval_below_threshold', 'tests_required', 'tests_failed']);
    expect(codes('/api/v1/auth/login', 'post', '429')).toEqual(['rate_limited']);
    expect(codes('/api/v1/versions/{id}/evals', 'post', '503')).toEqual(['queue_unavailable']);
    expect(codes('/api/v1/prompts/{id}/rollback', 'post', '409')).toEqual(['not_previously_live']);
    expect(codes('/api/v1/versions/{id}', 'get', '400')).toEqual(['validation_failed']);
  });

  it('types the registry\'s ids as UUIDs, closes its request bodies and leaves no field an untyped object', () => {
    const problems: string[] = [];
    for (const [op, operation] of operations(registryDoc)) {
      for (const p of operation.parameters ?? []) {
        if (p.in === 'path' && !['key', 'provider'].includes(p.name) && p.schema?.format !== 'uuid') problems.push(`${op}: ${p.name} is not a uuid`);
      }
      const body = operation.requestBody?.content['application/json']?.schema;
      if (body) {
        const name = String(body.$ref).split('/').pop()!;
        if (registryDoc.components.schemas[name]?.additionalProperties !== false) problems.push(`${op}: ${name} is open to unknown fields`);
      }
    }
    const walk = (schema: unknown, at: string): void => {
      if (typeof schema !== 'object' || schema === null) return;
      const s = schema as OpenApiSchema;
      if (s.type === 'object' && !s.properties && !s.additionalProperties && !s.allOf) problems.push(`${at}: an object with no properties`);
      for (const [k, v] of Object.entries(s)) walk(v, `${at}.${k}`);
    };
    walk(registryDoc.components.schemas, 'components.schemas');
    expect(problems).toEqual([]);
    const judge = registryDoc.components.schemas.JudgeDto as { additionalProperties: boolean };
    expect(judge.additionalProperties).toBe(false);
    expect(registryDoc.components.schemas.RequestEvalDto).toMatchObject({ properties: { provider: { enum: ['anthropic', 'openai', 'google', 'groq', 'mistral'] }, model: { type: 'string', nullable: true } } });
    expect(registryDoc.components.schemas.CreatePromptDto).toMatchObject({ properties: { key: { pattern: '^[a-z0-9][a-z0-9._-]{0,199}$' }, description: { type: 'string', maxLength: 2000 } } });
    expect(registryDoc.servers).toEqual([expect.objectContaining({ url: '{scheme}://{host}' })]);
    expect(gatewayDoc).toMatchObject({ servers: [expect.objectContaining({ url: '{scheme}://{host}' })] });
  });

  it.each(Object.entries(CLIENTS))('the committed %s client is what openapi-typescript generates from the live document', async (app, file) => {
    const fresh = await generateClientTypes(app === 'registry' ? registryDoc : gatewayDoc, app === 'registry' ? 'the registry\'s /api/docs-json' : 'the gateway\'s /openapi.json');
    if (process.env.UPDATE_OPENAPI_CLIENTS === '1') writeFileSync(join(SUPPORT, file), fresh);
    expect(readFileSync(join(SUPPORT, file), 'utf8')).toBe(fresh);
  });

  it('the generated clients type-check the scripted workflow, which has no cast, and a document without an answer fails it', async () => {
    const workflow = readFileSync(join(SUPPORT, 'openapi-workflow.ts'), 'utf8');
    expect(castsIn(workflow)).toEqual([]);
    expect(castsIn('const a = b as string; const c = d!;')).toHaveLength(2);
    const dir = mkdtempSync(join(tmpdir(), 'promptgate-openapi-'));
    try {
      copyFileSync(join(SUPPORT, 'openapi-workflow.ts'), join(dir, 'openapi-workflow.ts'));
      writeFileSync(join(dir, CLIENTS.registry), await generateClientTypes(registryDoc, 'test'));
      writeFileSync(join(dir, CLIENTS.gateway), await generateClientTypes(gatewayDoc, 'test'));
      expect(await typeCheck(dir)).toEqual([]);
      // Without the diff's answer schema, the workflow's use of it no longer compiles.
      const blind = structuredClone(registryDoc);
      delete blind.paths['/api/v1/versions/{id}/diff'].get!.responses['200'].content;
      writeFileSync(join(dir, CLIENTS.registry), await generateClientTypes(blind, 'test'));
      expect((await typeCheck(dir)).length).toBeGreaterThan(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('runs the workflow against the registry and the gateway, every answer fitting its documented schema', async () => {
    const seen: SeenAnswer[] = [];
    const result = await scriptedWorkflow({ registry: registryUrl, gateway: stack.gateways[0].url }, 'workflow@example.com', (a) => seen.push(a));
    expect(result).toEqual({
      served: 'Hello Ana, welcome to {{product}}.', servedVersion: 2, unfilled: ['product'], diffAdded: 1, approvedStatus: 'approved',
      signupAllowed: true, queued: [{ key: 'support.greeting', proposer: 'Workflow' }], people: ['Workflow', 'workflow@example.com'],
    });
    expect(seen).toHaveLength(14);
    expect(undocumented(seen)).toEqual([]);
  });

  /** Answers of the paths both apps have (/health, /ready) that came from the registry. */
  const askedRegistry = new WeakSet<SeenAnswer>();

  /** Each answer against the schema its document gives for that operation, status and media type. */
  function undocumented(answers: SeenAnswer[]): string[] {
    const problems: string[] = [];
    for (const answer of answers) {
      const doc = answer.path.startsWith('/api/') || askedRegistry.has(answer) ? registryDoc : gatewayDoc;
      const content = doc.paths[answer.path]?.[answer.method]?.responses[String(answer.status)]?.content;
      const media = Object.keys(content ?? {}).find((m) => answer.contentType.startsWith(m));
      if (!content || !media) problems.push(`${answer.method} ${answer.path}: ${answer.status} ${answer.contentType} is not documented`);
      else problems.push(...schemaProblems(doc, content[media].schema, answer.body, `${answer.method} ${answer.path} ${answer.status}`));
    }
    return problems;
  }

  /** One raw request, recorded under the operation `path` it is an instance of. */
  async function ask(seen: SeenAnswer[], base: string, method: SeenAnswer['method'], path: string, url: string, init: RequestInit = {}): Promise<SeenAnswer> {
    const res = await fetch(`${base}${url}`, { ...init, method: method.toUpperCase() });
    const text = await res.text();
    const contentType = res.headers.get('content-type') ?? '';
    const answer = { method, path, status: res.status, contentType, body: contentType.includes('json') ? JSON.parse(text) : text };
    seen.push(answer);
    if (base === registryUrl) askedRegistry.add(answer);
    return answer;
  }

  it('answers every read of the registry and the gateway, and their refusals, as the documents describe them', async () => {
    const seen: SeenAnswer[] = [];
    const registry = createClient<RegistryPaths>(registryUrl, (a) => seen.push(a));
    const email = 'tour@example.com';
    const signedUp = await registry.call('post', '/api/v1/auth/signup', { body: { email, password: 'correct-horse-battery' } });
    const login = await registry.call('post', '/api/v1/auth/login', { body: { email, password: 'correct-horse-battery' } });
    registry.authorize(login.access_token);
    const ws = (await registry.call('post', '/api/v1/workspaces', { body: { name: 'Tour' } })).workspace.id;
    await registry.call('get', '/api/v1/workspaces/{ws}', { path: { ws } });
    await registry.call('get', '/api/v1/workspaces/{ws}/members', { path: { ws } });
    const env = (await registry.call('post', '/api/v1/workspaces/{ws}/environments', { path: { ws }, body: { name: 'qa' } })).environment.id;
    await registry.call('patch', '/api/v1/environments/{env}', { path: { env }, body: { judge: { provider: 'openai', model: 'gpt-4o-mini' }, eval_pass_threshold: 6.5 } });
    await registry.call('get', '/api/v1/environments/{env}', { path: { env } });
    const { prompt, version } = await registry.call('post', '/api/v1/environments/{env}/prompts', { path: { env }, body: { key: 'tour.one', content: 'One.' } });
    await registry.call('post', '/api/v1/versions/{id}/submit', { path: { id: version.id } });
    await registry.call('post', '/api/v1/versions/{id}/approve', { path: { id: version.id } });
    const second = await registry.call('post', '/api/v1/prompts/{id}/versions', { path: { id: prompt.id }, body: { content: 'Two.' } });
    const third = await registry.call('post', '/api/v1/prompts/{id}/versions', { path: { id: prompt.id }, body: { content: 'Three.' } });
    await registry.call('post', '/api/v1/versions/{id}/submit', { path: { id: second.version.id } });
    await registry.call('post', '/api/v1/versions/{id}/approve', { path: { id: second.version.id } });
    await registry.call('post', '/api/v1/versions/{id}/submit', { path: { id: third.version.id } });
    await registry.call('post', '/api/v1/prompts/{id}/rollback', { path: { id: prompt.id }, body: { version_num: 1, note: 'back' } });
    await registry.call('post', '/api/v1/prompts/{id}/promote', { path: { id: prompt.id }, body: { target_environment_id: (await registry.call('get', '/api/v1/workspaces/{ws}/environments', { path: { ws } })).items[0].id } });
    const draft = await registry.call('post', '/api/v1/prompts/{id}/versions', { path: { id: prompt.id }, body: { content: 'Four.' } });
    await registry.call('post', '/api/v1/versions/{id}/reject', { path: { id: third.version.id }, body: { note: 'stale now' } });
    await registry.call('get', '/api/v1/environments/{env}/prompts', { path: { env }, query: { search: 'tour', limit: 1 } });
    await registry.call('get', '/api/v1/environments/{env}/prompts/by-key/{key}', { path: { env, key: 'tour.one' } });
    await registry.call('get', '/api/v1/prompts/{id}', { path: { id: prompt.id } });
    await registry.call('get', '/api/v1/prompts/{id}/live-at', { path: { id: prompt.id }, query: { at: new Date().toISOString() } });
    const queued = await registry.call('post', '/api/v1/versions/{id}/evals', { path: { id: draft.version.id }, body: { mode: 'rules' } });
    await registry.call('get', '/api/v1/evals/{id}', { path: { id: queued.eval_id } });
    await registry.call('get', '/api/v1/versions/{id}/evals', { path: { id: draft.version.id } });
    await registry.call('put', '/api/v1/workspaces/{ws}/provider-keys/{provider}', { path: { ws, provider: 'openai' }, body: { api_key: 'sk-test-0123456789' } });
    await registry.call('get', '/api/v1/workspaces/{ws}/provider-keys', { path: { ws } });
    const apiKey = await registry.call('post', '/api/v1/environments/{env}/api-keys', { path: { env }, body: { name: 'tour', rate_limit_rpm: 1000 } });
    await registry.call('get', '/api/v1/environments/{env}/api-keys', { path: { env } });
    await registry.call('get', '/api/v1/workspaces/{ws}/webhooks', { path: { ws } });
    await registry.call('get', '/api/v1/workspaces/{ws}/audit', { path: { ws }, query: { action: 'version.approved', limit: 2 } });
    await registry.call('get', '/api/v1/workspaces/{ws}/audit/verify', { path: { ws } });

    const json = { 'content-type': 'application/json' };
    const auth = { authorization: `Bearer ${login.access_token}` };
    const unknown = '00000000-0000-4000-8000-000000000000';
    const refusals: Array<[SeenAnswer['method'], string, string, RequestInit, string]> = [
      ['get', '/api/v1/versions/{id}', '/api/v1/versions/not-a-uuid', { headers: auth }, 'validation_failed'],
      ['get', '/api/v1/versions/{id}', `/api/v1/versions/${unknown}`, { headers: auth }, 'not_found'],
      ['get', '/api/v1/me', '/api/v1/me', {}, 'unauthorized'],
      ['post', '/api/v1/auth/login', '/api/v1/auth/login', { headers: json, body: JSON.stringify({ email, password: 'wrong-password-1' }) }, 'unauthorized'],
      ['post', '/api/v1/auth/signup', '/api/v1/auth/signup', { headers: json, body: JSON.stringify({ email, password: 'correct-horse-battery' }) }, 'conflict'],
      ['post', '/api/v1/environments/{env}/prompts', `/api/v1/environments/${env}/prompts`, { headers: { ...auth, ...json }, body: JSON.stringify({ key: 'x', content: 'y', owner: 'me' }) }, 'validation_failed'],
      ['post', '/api/v1/prompts/{id}/versions', `/api/v1/prompts/${prompt.id}/versions`, { headers: { ...auth, 'content-type': 'text/plain' }, body: 'Five.' }, 'unsupported_media_type'],
      ['post', '/api/v1/versions/{id}/approve', `/api/v1/versions/${version.id}/approve`, { headers: { ...auth, ...json }, body: '{}' }, 'invalid_transition'],
      ['post', '/api/v1/prompts/{id}/rollback', `/api/v1/prompts/${prompt.id}/rollback`, { headers: { ...auth, ...json }, body: JSON.stringify({ version_num: 3 }) }, 'not_previously_live'],
      ['post', '/api/v1/workspaces/{ws}/webhooks', `/api/v1/workspaces/${ws}/webhooks`, { headers: { ...auth, ...json }, body: JSON.stringify({ url: 'http://127.0.0.1/hook', events: ['version.approved'] }) }, 'url_not_allowed'],
      ['delete', '/api/v1/workspaces/{ws}/members/{userId}', `/api/v1/workspaces/${ws}/members/${signedUp.user.id}`, { headers: auth }, 'last_owner'],
      ['get', '/v1/serve/{key}', '/v1/serve/tour.one', {}, 'invalid_api_key'],
      ['get', '/v1/serve/{key}', '/v1/serve/no.such.prompt', { headers: { authorization: `Bearer ${apiKey.key}` } }, 'prompt_not_found'],
      ['get', '/v1/serve/{key}', '/v1/serve/tour.one?version=0', { headers: { authorization: `Bearer ${apiKey.key}` } }, 'validation_failed'],
      ['get', '/v1/serve/{key}', '/v1/serve/tour.one?version=3', { headers: { authorization: `Bearer ${apiKey.key}` } }, 'version_not_found'],
      ['post', '/v1/serve/{key}', '/v1/serve/tour.one', { headers: { authorization: `Bearer ${apiKey.key}`, 'content-type': 'text/plain' }, body: 'x' }, 'unsupported_media_type'],
    ];
    const codes: string[] = [];
    for (const [method, path, url, init] of refusals) {
      const answer = await ask(seen, path.startsWith('/api/') ? registryUrl : stack.gateways[0].url, method, path, url, init);
      codes.push((answer.body as { error?: { code?: string } }).error?.code ?? `no error: ${answer.status}`);
    }
    expect(codes).toEqual(refusals.map((r) => r[4]));

    // The stale base: two proposals on one base, the first approved, then the second.
    const a = await registry.call('post', '/api/v1/prompts/{id}/versions', { path: { id: prompt.id }, body: { content: 'A.' } });
    const b = await registry.call('post', '/api/v1/prompts/{id}/versions', { path: { id: prompt.id }, body: { content: 'B.' } });
    for (const v of [a, b]) await registry.call('post', '/api/v1/versions/{id}/submit', { path: { id: v.version.id } });
    await registry.call('post', '/api/v1/versions/{id}/approve', { path: { id: a.version.id } });
    const stale = await ask(seen, registryUrl, 'post', '/api/v1/versions/{id}/approve', `/api/v1/versions/${b.version.id}/approve`, { headers: { ...auth, ...json }, body: '{}' });
    expect(stale).toMatchObject({ status: 409, body: { error: { code: 'stale_base' } } });

    const key = { authorization: `Bearer ${apiKey.key}` };
    const gateway = stack.gateways[0].url;
    const text = await ask(seen, gateway, 'get', '/v1/serve/{key}', '/v1/serve/tour.one?vars=x=1', { headers: key });
    expect(text).toMatchObject({ status: 200, body: 'A.' });
    await ask(seen, gateway, 'get', '/v1/serve/{key}', '/v1/serve/tour.one?format=json&version=1', { headers: key });
    for (const [path, base] of [['/health', registryUrl], ['/ready', registryUrl], ['/health', gateway], ['/ready', gateway], ['/', gateway]] as const) {
      await ask(seen, base, 'get', path, path);
    }
    expect(seen.length).toBeGreaterThan(60);
    expect(undocumented(seen)).toEqual([]);
  });

  it('the schema check is not blind: a wrong type, a missing field and a non-uuid id are problems', () => {
    const version = { $ref: '#/components/schemas/VersionAnswer' };
    expect(schemaProblems(registryDoc, version, { version: { id: 'nope' } }).length).toBeGreaterThan(5);
    expect(schemaProblems(registryDoc, { $ref: '#/components/schemas/LiveAt' }, {
      version_id: '7f1e8a52-29a6-4c0e-9d0b-6f3c4b8e2a10', version_num: '2', content: 'x', messages: null, config: {},
      live_from: '2026-12-01T09:30:00.000Z', live_until: null,
    })).toEqual(['$.version_num: not an integer']);
  });
});
