import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { RequestMethod } from '@nestjs/common';
import { METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants.js';
import Fastify from 'fastify';
import request from 'supertest';
import type { GatewayConfig } from '#config';
import type { AppLogger } from '#runtime';
import { GatewayModule } from '../apps/gateway/src/gateway.module.js';
import { registerGatewayOpenApiRoute } from '../apps/gateway/src/openapi/gateway-openapi.js';
import { registerServeRoutes, type ServeDependencies } from '../apps/gateway/src/serve/serve.routes.js';
import { bootRegistry, type RegistryHarness } from '../apps/registry/test/support/registry.js';

/**
 * Keeps the documentation true: every link in README.md and docs/*.md stays inside the repository
 * and resolves, and docs/API.md lists exactly the registry's operations (its OpenAPI document) and
 * the gateway's routes (its route table).
 */

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const API_DOC = join(ROOT, 'docs', 'API.md');
/** Hosts a link may name: only examples on the reader's own machine. */
const LOCAL_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);
/** The page a browser sees at `/` is not an API operation; it is described in prose. */
const NOT_OPERATIONS = new Set(['/']);

function documentationFiles(): string[] {
  const docs = readdirSync(join(ROOT, 'docs')).filter((f) => f.endsWith('.md')).map((f) => join(ROOT, 'docs', f));
  return [join(ROOT, 'README.md'), ...docs];
}

/** Markdown without fenced code blocks and inline code, where `[x](y)` is text, not a link. */
function proseOf(markdown: string): string {
  return markdown.replace(/^(```|~~~)[^\n]*\n[\s\S]*?^\1[^\n]*$/gm, '').replace(/`+[^`\n]*`+/g, '');
}

/** Every link target: inline links and images, reference definitions, autolinks. */
export function linkTargets(markdown: string): string[] {
  const prose = proseOf(markdown);
  const targets: string[] = [];
  for (const m of prose.matchAll(/!?\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)) targets.push(m[1]);
  for (const m of prose.matchAll(/^\s{0,3}\[[^\]]+\]:\s*<?(\S+?)>?(?:\s|$)/gm)) targets.push(m[1]);
  for (const m of prose.matchAll(/<((?:https?|ftp|mailto):[^>\s]+)>/g)) targets.push(m[1]);
  for (const m of prose.matchAll(/(?<![(<\w])(https?:\/\/[^\s)>\]]+)/g)) targets.push(m[1]);
  return [...new Set(targets)];
}

/** GitHub's heading anchors: lower case, punctuation dropped, spaces to hyphens, repeats numbered. */
export function headingAnchors(markdown: string): Set<string> {
  const anchors = new Set<string>();
  const seen = new Map<string, number>();
  for (const m of markdown.replace(/^(```|~~~)[^\n]*\n[\s\S]*?^\1[^\n]*$/gm, '').matchAll(/^#{1,6}\s+(.+?)\s*#*\s*$/gm)) {
    const text = m[1].replace(/\[([^\]]*)\]\([^)]*\)/g, '$1').replace(/[`*]/g, '');
    const slug = text.toLowerCase().replace(/[^\p{L}\p{N}\s_-]/gu, '').replace(/\s/g, '-');
    const n = seen.get(slug) ?? 0;
    anchors.add(n === 0 ? slug : `${slug}-${n}`);
    seen.set(slug, n + 1);
  }
  return anchors;
}

/** What is wrong with one link of `file`, or null when it resolves inside the repository. */
export function linkProblem(file: string, target: string, root = ROOT): string | null {
  if (/^[a-z][a-z0-9+.-]*:/i.test(target)) {
    if (!/^https?:/i.test(target)) return 'leaves the repository';
    let host: string;
    try {
      host = new URL(target).host.replace(/:\d+$/, '');
    } catch {
      return 'is not a valid URL';
    }
    return LOCAL_HOSTS.has(host) ? null : 'leaves the repository';
  }
  const [pathPart, anchor] = target.split('#', 2) as [string, string | undefined];
  const resolved = pathPart === '' ? file : resolve(dirname(file), decodeURIComponent(pathPart));
  const inside = relative(root, resolved);
  if (inside.startsWith(`..${sep}`) || inside === '..' || resolve(root, inside) !== resolved) return 'leaves the repository';
  if (!existsSync(resolved)) return 'names a file that does not exist';
  if (anchor !== undefined && anchor !== '' && statSync(resolved).isFile() && resolved.endsWith('.md')) {
    if (!headingAnchors(readFileSync(resolved, 'utf8')).has(anchor.toLowerCase())) return `names the anchor #${anchor}, which has no heading`;
  }
  return null;
}

/** `GET /a/:id` and `GET /a/{id}` compare equal. */
export function operation(method: string, path: string): string {
  const normal = path.replace(/\/:[^/]+/g, '/{}').replace(/\/\{[^}/]+\}/g, '/{}').replace(/(.)\/$/, '$1');
  return `${method.toUpperCase()} ${normal}`;
}

/** The part of a markdown text under a `## ` heading starting with `title`, up to the next `## `. */
function section(markdown: string, title: string): string {
  const start = markdown.search(new RegExp(`^## ${title}\\b`, 'm'));
  if (start < 0) throw new Error(`docs/API.md has no "## ${title}" section`);
  const rest = markdown.slice(start + 3);
  const end = rest.search(/^## /m);
  return end < 0 ? rest : rest.slice(0, end);
}

/** The endpoints a section lists: table rows that start with `METHOD /path` in code. */
export function documentedOperations(markdown: string, title: string): string[] {
  const ops: string[] = [];
  for (const m of section(markdown, title).matchAll(/^\|\s*`(GET|POST|PUT|PATCH|DELETE|HEAD|OPTIONS) (\/[^`\s?]*)`/gm)) {
    if (!NOT_OPERATIONS.has(m[2])) ops.push(operation(m[1], m[2]));
  }
  return ops;
}

/** The success statuses (`2xx`) each endpoint row of a section names, by operation. */
export function documentedSuccessStatuses(markdown: string, title: string): Map<string, string[]> {
  const statuses = new Map<string, string[]>();
  for (const m of section(markdown, title).matchAll(/^\|\s*`(GET|POST|PUT|PATCH|DELETE) (\/[^`\s?]*)`(.*)$/gm)) {
    statuses.set(operation(m[1], m[2]), [...m[3].matchAll(/`(2\d\d)\b/g)].map((s) => s[1]));
  }
  return statuses;
}

export function compareOperations(documented: string[], actual: string[]): { undocumented: string[]; unknown: string[] } {
  const doc = new Set(documented);
  const real = new Set(actual);
  return {
    undocumented: [...real].filter((op) => !doc.has(op)).sort(),
    unknown: [...doc].filter((op) => !real.has(op)).sort(),
  };
}

interface OpenApiDocument {
  paths: Record<string, Record<string, unknown>>;
}
const HTTP_METHODS = new Set(['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace']);

/** Each operation's success status in the OpenAPI document. */
function openApiSuccessStatuses(doc: OpenApiDocument): Map<string, string> {
  const statuses = new Map<string, string>();
  for (const [path, item] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(item)) {
      if (!HTTP_METHODS.has(method)) continue;
      const success = Object.keys((op as { responses?: Record<string, unknown> }).responses ?? {}).find((s) => /^2\d\d$/.test(s));
      if (success !== undefined) statuses.set(operation(method, path), success);
    }
  }
  return statuses;
}

function openApiOperations(doc: OpenApiDocument): string[] {
  const ops: string[] = [];
  for (const [path, item] of Object.entries(doc.paths)) {
    if (NOT_OPERATIONS.has(path)) continue;
    for (const method of Object.keys(item)) if (HTTP_METHODS.has(method)) ops.push(operation(method, path));
  }
  return ops;
}

/** The gateway's routes: the serve routes and its OpenAPI document as Fastify registers them, and Nest's controllers as decorated. */
async function gatewayRoutes(): Promise<string[]> {
  const ops: string[] = [];
  const serve = Fastify({ logger: false });
  serve.addHook('onRoute', (route) => {
    for (const method of [route.method].flat()) if (method !== 'HEAD') ops.push(operation(method, route.url));
  });
  // Handlers only read their dependencies per request, and no request is made here.
  registerServeRoutes(serve, {} as ServeDependencies);
  registerGatewayOpenApiRoute(serve);
  await serve.ready();
  await serve.close();
  const controllers = GatewayModule.register({} as GatewayConfig, {} as AppLogger).controllers ?? [];
  for (const controller of controllers) {
    const base = String(Reflect.getMetadata(PATH_METADATA, controller) ?? '/');
    const proto = (controller as { prototype: Record<string, unknown> }).prototype;
    for (const name of Object.getOwnPropertyNames(proto)) {
      const handler = proto[name];
      if (name === 'constructor' || typeof handler !== 'function') continue;
      const method = Reflect.getMetadata(METHOD_METADATA, handler) as RequestMethod | undefined;
      const path = Reflect.getMetadata(PATH_METADATA, handler) as string | string[] | undefined;
      if (method === undefined || path === undefined) continue;
      for (const p of [path].flat()) {
        const full = `/${[base, p].map((s) => s.replace(/^\/+|\/+$/g, '')).filter(Boolean).join('/')}`;
        if (!NOT_OPERATIONS.has(full)) ops.push(operation(RequestMethod[method], full));
      }
    }
  }
  return ops;
}

describe('documentation links', () => {
  it.each(documentationFiles().map((f) => [relative(ROOT, f), f]))('every link in %s stays in the repository and resolves', (_name, file) => {
    const problems = linkTargets(readFileSync(file, 'utf8'))
      .map((target) => ({ target, problem: linkProblem(file, target) }))
      .filter((p) => p.problem !== null)
      .map((p) => `${p.target} ${p.problem}`);
    expect(problems).toEqual([]);
  });

  it('finds the links that would break: outside the repository, missing files and anchors, other hosts', () => {
    const readme = join(ROOT, 'README.md');
    const md = [
      '[api](../shared/API.md) [gone](docs/NOPE.md) [anchor](docs/API.md#no-such-heading) [ok](docs/API.md#conventions)',
      '[web](https://example.com/x) [local](http://127.0.0.1:3000/api/docs) <https://example.org> [mail](mailto:a@b.c)',
      'See https://example.net/page and `[code](../not-a-link.md)`.',
      '```', '[fenced](../also-not-a-link.md)', '```',
    ].join('\n');
    const verdicts = Object.fromEntries(linkTargets(md).map((t) => [t, linkProblem(readme, t)]));
    expect(verdicts).toEqual({
      '../shared/API.md': 'leaves the repository',
      'docs/NOPE.md': 'names a file that does not exist',
      'docs/API.md#no-such-heading': 'names the anchor #no-such-heading, which has no heading',
      'docs/API.md#conventions': null,
      'https://example.com/x': 'leaves the repository',
      'http://127.0.0.1:3000/api/docs': null,
      'https://example.org': 'leaves the repository',
      'mailto:a@b.c': 'leaves the repository',
      'https://example.net/page': 'leaves the repository',
    });
  });

  it('reads heading anchors as GitHub writes them', () => {
    expect([...headingAnchors('# The audit chain, and who can break it\n## `x-prompt-stale` headers\n## Lists\n## Lists\n')])
      .toEqual(['the-audit-chain-and-who-can-break-it', 'x-prompt-stale-headers', 'lists', 'lists-1']);
  });
});

describe('docs/API.md against the services', () => {
  let registry: RegistryHarness;
  let openApi: string[];
  let openApiStatuses: Map<string, string>;
  const apiDoc = readFileSync(API_DOC, 'utf8');

  beforeAll(async () => {
    registry = await bootRegistry();
    const res = await request(registry.http).get('/api/docs-json');
    expect(res.status).toBe(200);
    openApi = openApiOperations(res.body as OpenApiDocument);
    openApiStatuses = openApiSuccessStatuses(res.body as OpenApiDocument);
  });
  afterAll(async () => {
    await registry?.close();
  });

  it('lists every operation of the registry\'s OpenAPI document, and no other', () => {
    expect(openApi.length).toBeGreaterThan(40);
    const documented = documentedOperations(apiDoc, 'Registry');
    expect(documented.length).toBe(new Set(documented).size);
    expect(compareOperations(documented, openApi)).toEqual({ undocumented: [], unknown: [] });
  });

  it('names, where an endpoint names its success status, the one the OpenAPI document gives', () => {
    const mismatches: string[] = [];
    let named = 0;
    for (const [op, statuses] of documentedSuccessStatuses(apiDoc, 'Registry')) {
      const real = openApiStatuses.get(op);
      if (statuses.length === 0 || real === undefined) continue;
      named += 1;
      if (!statuses.includes(real)) mismatches.push(`${op}: docs say ${statuses.join('/')}, OpenAPI ${real}`);
    }
    expect(named).toBeGreaterThan(20);
    expect(mismatches).toEqual([]);
  });

  it('lists every route of the gateway, and no other', async () => {
    const routes = await gatewayRoutes();
    expect(routes).toEqual(expect.arrayContaining(['GET /v1/serve/{}', 'POST /v1/serve/{}', 'GET /health', 'GET /ready']));
    const documented = documentedOperations(apiDoc, 'Gateway');
    expect(compareOperations(documented, routes)).toEqual({ undocumented: [], unknown: [] });
  });

  it('notices an endpoint line removed from, or added to, docs/API.md', () => {
    const row = apiDoc.split('\n').find((l) => l.startsWith('| `POST /api/v1/versions/:id/approve`'));
    expect(row).toBeDefined();
    const without = apiDoc.replace(`${row!}\n`, '');
    expect(compareOperations(documentedOperations(without, 'Registry'), openApi))
      .toEqual({ undocumented: ['POST /api/v1/versions/{}/approve'], unknown: [] });
    const extra = apiDoc.replace(`${row!}\n`, `${row!}\n| \`POST /api/v1/versions/:id/unapprove\` | reviewer | | |\n`);
    expect(compareOperations(documentedOperations(extra, 'Registry'), openApi))
      .toEqual({ undocumented: [], unknown: ['POST /api/v1/versions/{}/unapprove'] });
  });

  it('compares paths whatever their parameters are called', () => {
    expect(operation('get', '/api/v1/workspaces/{ws}/members/{userId}')).toBe(operation('GET', '/api/v1/workspaces/:ws/members/:id'));
    expect(operation('get', '/v1/serve/:key')).not.toBe(operation('GET', '/v1/serve'));
  });
});
