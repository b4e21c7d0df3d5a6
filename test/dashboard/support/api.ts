/**
 * The registry's management API over real HTTP, for what a browser test sets up or checks behind
 * the page: the users it signs up beside the one who signs up in the browser, and the state the
 * page claims (a version really live, a key really working at the gateway).
 */
export class RegistryApi {
  constructor(readonly origin: string, readonly token?: string) {}

  as(token: string): RegistryApi {
    return new RegistryApi(this.origin, token);
  }

  async call<T = Record<string, unknown>>(method: string, path: string, body?: unknown, expectStatus?: number): Promise<{ status: number; body: T }> {
    const res = await fetch(`${this.origin}/api/v1${path}`, {
      method,
      headers: {
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...(this.token ? { authorization: `Bearer ${this.token}` } : {}),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    const parsed = (text ? JSON.parse(text) : null) as T;
    if (expectStatus !== undefined && res.status !== expectStatus) {
      throw new Error(`${method} ${path} answered ${res.status} (expected ${expectStatus}): ${text}`);
    }
    return { status: res.status, body: parsed };
  }

  async get<T = Record<string, unknown>>(path: string): Promise<T> {
    return (await this.call<T>('GET', path, undefined, 200)).body;
  }

  /** Signs a user up; answers their token. */
  async signup(email: string, password: string, name: string): Promise<RegistryApi> {
    const { body } = await this.call<{ access_token: string }>('POST', '/auth/signup', { email, password, name }, 201);
    return this.as(body.access_token);
  }

  async login(email: string, password: string): Promise<RegistryApi> {
    const { body } = await this.call<{ access_token: string }>('POST', '/auth/login', { email, password }, 200);
    return this.as(body.access_token);
  }

  me(): Promise<{ user: { id: string; email: string }; memberships: Array<{ workspace: { id: string; name: string }; role: string }> }> {
    return this.get('/me');
  }

  async environments(workspaceId: string): Promise<Record<string, { id: string; name: string; require_review: boolean; is_protected: boolean }>> {
    const { items } = await this.get<{ items: Array<{ id: string; name: string; require_review: boolean; is_protected: boolean }> }>(`/workspaces/${workspaceId}/environments`);
    return Object.fromEntries(items.map((e) => [e.name, e]));
  }
}
