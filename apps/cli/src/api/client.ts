import { CliError, EXIT } from '../core/errors.js';
import type { components, paths } from '../generated/registry-api.js';

/** The registry's answer and body schemas, by name, as its OpenAPI document describes them. */
export type Schemas = components['schemas'];

type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';
type Operation<P extends keyof paths, M extends Method> = NonNullable<paths[P][M]>;
type JsonOf<R> = R extends { content: { 'application/json': infer T } } ? T : undefined;
type Responses<O> = O extends { responses: infer R } ? R : never;
/** The body of the operation's success answer (200, 201 or 202; undefined for a 204). */
export type Answer<O> = Responses<O> extends infer R
  ? 200 extends keyof R ? JsonOf<R[200]> : 201 extends keyof R ? JsonOf<R[201]> : 202 extends keyof R ? JsonOf<R[202]> : undefined
  : never;
type PathParams<O> = O extends { parameters: { path: infer A } } ? A : never;
type Query<O> = O extends { parameters: { query?: infer Q } } ? ([NonNullable<Q>] extends [never] ? never : Q) : never;
type Body<O> = O extends { requestBody?: infer R }
  ? [NonNullable<R>] extends [never] ? never : NonNullable<R> extends { content: { 'application/json': infer B } } ? B : never
  : never;

/** What one call sends: the path's parameters, a query and a JSON body, each only where the operation has them. */
export type CallOptions<O> = ([PathParams<O>] extends [never] ? { path?: undefined } : { path: PathParams<O> })
  & ([Query<O>] extends [never] ? { query?: undefined } : { query?: Query<O> })
  & ([Body<O>] extends [never] ? { body?: undefined } : { body: Body<O> });

export interface RegistryClientOptions {
  url: string;
  token: string | null;
  /** Per request; a registry that does not answer within it counts as unreachable. */
  timeoutMs?: number;
  fetch?: typeof fetch;
}

/**
 * The registry's HTTP API, typed from its OpenAPI document (src/generated/registry-api.ts). Every
 * refusal becomes a CliError with the API's error code and exit 3; a registry that cannot be reached
 * becomes `unreachable`, exit 3.
 */
export class RegistryClient {
  readonly url: string;
  private readonly token: string | null;
  private readonly timeoutMs: number;
  private readonly fetchImpl: typeof fetch;

  constructor(options: RegistryClientOptions) {
    this.url = options.url.replace(/\/+$/, '');
    this.token = options.token;
    this.timeoutMs = options.timeoutMs ?? 30_000;
    this.fetchImpl = options.fetch ?? fetch;
  }

  get<P extends keyof paths>(path: P, options: CallOptions<Operation<P, 'get'>>): Promise<Answer<Operation<P, 'get'>>> {
    return this.call('GET', path, options);
  }

  post<P extends keyof paths>(path: P, options: CallOptions<Operation<P, 'post'>>): Promise<Answer<Operation<P, 'post'>>> {
    return this.call('POST', path, options);
  }

  patch<P extends keyof paths>(path: P, options: CallOptions<Operation<P, 'patch'>>): Promise<Answer<Operation<P, 'patch'>>> {
    return this.call('PATCH', path, options);
  }

  delete<P extends keyof paths>(path: P, options: CallOptions<Operation<P, 'delete'>>): Promise<Answer<Operation<P, 'delete'>>> {
    return this.call('DELETE', path, options);
  }

  /** Every page of a list, in the list's order. */
  async all<T>(page: (cursor: string | undefined) => Promise<{ items: T[]; next_cursor: string | null }>): Promise<T[]> {
    const items: T[] = [];
    let cursor: string | undefined;
    for (;;) {
      const answer = await page(cursor);
      items.push(...answer.items);
      if (!answer.next_cursor) return items;
      cursor = answer.next_cursor;
    }
  }

  private async call<T>(method: string, template: string, options: { path?: unknown; query?: unknown; body?: unknown }): Promise<T> {
    const path = template.replace(/\{(\w+)\}/g, (_, name: string) => {
      const value = (options.path as Record<string, unknown> | undefined)?.[name];
      if (typeof value !== 'string' && typeof value !== 'number') throw new Error(`no value for {${name}} in ${template}`);
      return encodeURIComponent(String(value));
    });
    const url = new URL(this.url + path);
    for (const [name, value] of Object.entries((options.query ?? {}) as Record<string, unknown>)) {
      if (value !== undefined && value !== null) url.searchParams.set(name, String(value as string | number | boolean));
    }
    const headers: Record<string, string> = { accept: 'application/json', 'x-promptgate-client': 'promptgate-cli' };
    if (this.token) headers.authorization = `Bearer ${this.token}`;
    if (options.body !== undefined) headers['content-type'] = 'application/json';
    let res: Response;
    try {
      res = await this.fetchImpl(url, {
        method, headers, body: options.body === undefined ? undefined : JSON.stringify(options.body),
        signal: AbortSignal.timeout(this.timeoutMs), redirect: 'error',
      });
    } catch (error) {
      throw new CliError('unreachable', `cannot reach the registry at ${this.url} (${describeNetworkError(error)})`, EXIT.refused);
    }
    const text = await res.text();
    let json: unknown;
    try {
      json = text === '' ? undefined : JSON.parse(text);
    } catch {
      throw new CliError('bad_answer', `the registry at ${this.url} answered ${res.status} with a body that is not JSON`, EXIT.refused);
    }
    if (res.ok) return json as T;
    const error = (json as { error?: { code?: unknown; message?: unknown; details?: unknown } } | undefined)?.error;
    const code = typeof error?.code === 'string' ? error.code : `http_${res.status}`;
    const message = typeof error?.message === 'string' ? error.message : `${method} ${path} answered ${res.status}`;
    throw new CliError(code, message, EXIT.refused, { status: res.status, details: error?.details });
  }
}

function describeNetworkError(error: unknown): string {
  if (error instanceof Error && error.name === 'TimeoutError') return 'no answer in time';
  const cause = error instanceof Error ? (error.cause as { code?: string; message?: string } | undefined) : undefined;
  return cause?.code ?? cause?.message ?? (error instanceof Error ? error.message : String(error));
}
