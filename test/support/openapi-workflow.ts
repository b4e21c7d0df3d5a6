import type { paths as GatewayPaths } from './openapi-gateway-client.js';
import type { paths as RegistryPaths } from './openapi-registry-client.js';

/**
 * A client over the types openapi-typescript generates from a document (openapi-*-client.ts),
 * and a scripted workflow written against it without a single cast: if an answer, a body or a
 * parameter the workflow uses is missing from a document, this file does not type-check.
 */

type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';
type OperationOf<Paths, P extends keyof Paths, M extends Method> = Paths[P] extends { [K in M]: infer O } ? O : never;
type JsonOf<R> = R extends { content: { 'application/json': infer B } } ? B : never;
type SuccessOf<O> = O extends { responses: infer R } ? { [S in keyof R]: S extends 200 | 201 | 202 ? JsonOf<R[S]> : never }[keyof R] : never;
type PathInput<O> = O extends { parameters: { path: infer P } } ? { path: P } : { path?: undefined };
type QueryInput<O> = O extends { parameters: { query?: infer Q } } ? { query?: Q } : { query?: undefined };
type BodyInput<O> = O extends { requestBody?: never }
  ? { body?: undefined }
  : O extends { requestBody: { content: { 'application/json': infer B } } }
    ? { body: B }
    : O extends { requestBody?: { content: { 'application/json': infer B } } } ? { body?: B } : { body?: undefined };
type InputOf<O> = PathInput<O> & QueryInput<O> & BodyInput<O>;

/** One answer as it came: for checking it against the document. */
export interface SeenAnswer {
  method: Method;
  path: string;
  status: number;
  contentType: string;
  body: unknown;
}

export function createClient<Paths>(baseUrl: string, seen: (answer: SeenAnswer) => void) {
  let token: string | undefined;
  return {
    authorize(bearer: string): void {
      token = bearer;
    },
    async call<P extends keyof Paths & string, M extends Method>(method: M, path: P, input: InputOf<OperationOf<Paths, P, M>>): Promise<SuccessOf<OperationOf<Paths, P, M>>> {
      let url: string = path;
      for (const [name, value] of Object.entries(input.path ?? {})) url = url.replace(`{${name}}`, encodeURIComponent(String(value)));
      const query = new URLSearchParams();
      for (const [name, value] of Object.entries(input.query ?? {})) {
        for (const item of [value].flat()) query.append(name, String(item));
      }
      const headers: Record<string, string> = { accept: 'application/json' };
      if (token !== undefined) headers.authorization = `Bearer ${token}`;
      if (input.body !== undefined) headers['content-type'] = 'application/json';
      const res = await fetch(`${baseUrl}${url}${query.size > 0 ? `?${query.toString()}` : ''}`, {
        method: method.toUpperCase(),
        headers,
        body: input.body === undefined ? undefined : JSON.stringify(input.body),
      });
      const text = await res.text();
      const contentType = res.headers.get('content-type') ?? '';
      seen({ method, path, status: res.status, contentType, body: contentType.includes('json') ? JSON.parse(text) : text });
      if (!res.ok) throw new Error(`${method.toUpperCase()} ${url} answered ${res.status}: ${text}`);
      return JSON.parse(text);
    },
  };
}

export interface WorkflowResult {
  /** A text prompt's content; null would be a chat prompt's. */
  served: string | null;
  servedVersion: number;
  unfilled: string[];
  diffAdded: number;
  approvedStatus: string;
  signupAllowed: boolean;
  /** The review queue while the proposal waited: its prompt keys and proposers' names. */
  queued: Array<{ key: string; proposer: string | null }>;
  /** Who the version list names as the approved version's proposer and reviewer. */
  people: Array<string | null>;
}

/** Sign up, create a prompt, propose a version, diff it, submit, approve, and serve it through the gateway. */
export async function scriptedWorkflow(
  urls: { registry: string; gateway: string },
  email: string,
  seen: (answer: SeenAnswer) => void,
): Promise<WorkflowResult> {
  const registry = createClient<RegistryPaths>(urls.registry, seen);
  const options = await registry.call('get', '/api/v1/auth/options', {});
  const signedUp = await registry.call('post', '/api/v1/auth/signup', { body: { email, password: 'correct-horse-battery', name: 'Workflow' } });
  registry.authorize(signedUp.access_token);
  const me = await registry.call('get', '/api/v1/me', {});
  const workspace = me.memberships[0].workspace;
  const environments = await registry.call('get', '/api/v1/workspaces/{ws}/environments', { path: { ws: workspace.id }, query: { limit: 10 } });
  const development = environments.items.find((e) => e.name === 'development');
  if (development === undefined) throw new Error('no development environment');

  const created = await registry.call('post', '/api/v1/environments/{env}/prompts', {
    path: { env: development.id },
    body: { key: 'support.greeting', content: 'Hello {{name}}.', description: 'The greeting', commit_message: null },
  });
  const proposed = await registry.call('post', '/api/v1/prompts/{id}/versions', {
    path: { id: created.prompt.id },
    body: { content: 'Hello {{name}}, welcome to {{product}}.', commit_message: 'Name the product' },
  });
  const diff = await registry.call('get', '/api/v1/versions/{id}/diff', { path: { id: proposed.version.id } });
  await registry.call('post', '/api/v1/versions/{id}/submit', { path: { id: proposed.version.id } });
  const queue = await registry.call('get', '/api/v1/workspaces/{ws}/reviews', { path: { ws: workspace.id }, query: { limit: 10 } });
  const approved = await registry.call('post', '/api/v1/versions/{id}/approve', { path: { id: proposed.version.id }, body: { note: 'Reads well' } });
  await registry.call('get', '/api/v1/versions/{id}', { path: { id: approved.version.id } });
  const versions = await registry.call('get', '/api/v1/prompts/{id}/versions', { path: { id: created.prompt.id } });
  const newest = versions.items[0];
  const apiKey = await registry.call('post', '/api/v1/environments/{env}/api-keys', { path: { env: development.id }, body: { name: 'workflow' } });

  const gateway = createClient<GatewayPaths>(urls.gateway, seen);
  gateway.authorize(apiKey.key);
  const served = await gateway.call('post', '/v1/serve/{key}', { path: { key: created.prompt.key }, body: { variables: { name: 'Ana' } } });
  return {
    served: served.content, servedVersion: served.version, unfilled: served.unfilled_variables, diffAdded: diff.added,
    approvedStatus: approved.version.status, signupAllowed: options.signup_allowed,
    queued: queue.items.map((item) => ({ key: item.prompt.key, proposer: item.proposer?.name ?? null })),
    people: [newest.proposer?.name ?? null, newest.reviewer?.email ?? null],
  };
}
