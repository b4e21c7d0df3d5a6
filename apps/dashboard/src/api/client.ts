import createClient, { type Middleware } from 'openapi-fetch';
import type { components, paths } from './schema.js';
import { tokenStore } from '../session/token-store.js';

/** The schemas of the registry's OpenAPI document, by name: `Schema<'Prompt'>`. */
export type Schema<Name extends keyof components['schemas']> = components['schemas'][Name];

/** An answer of the API that is not 2xx, with the error shape every operation shares. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

/**
 * Every request carries `X-Promptgate-Client: dashboard` (the development bypass answers only
 * requests that say they come from a client) and the session's bearer token when there is one.
 * An answer of 401 while signed in ends the session (the token expired or was revoked).
 */
const auth: Middleware = {
  onRequest({ request }) {
    request.headers.set('X-Promptgate-Client', 'dashboard');
    const token = tokenStore.get();
    if (token) request.headers.set('Authorization', `Bearer ${token}`);
    return request;
  },
  onResponse({ response }) {
    if (response.status === 401 && tokenStore.get()) tokenStore.expire();
    return response;
  },
};

/** The typed client: paths and bodies come from the OpenAPI document, generated in the build. */
export const api = createClient<paths>({ baseUrl: globalThis.location?.origin ?? '' });
api.use(auth);

interface FetchResult<T> {
  data?: T;
  error?: unknown;
  response: Response;
}

/**
 * Awaits one openapi-fetch call and returns its data, or throws an ApiError: the form TanStack
 * Query's queryFn and mutationFn want. `call(api.GET('/api/v1/me'))`.
 */
export async function call<T>(request: Promise<FetchResult<T>>): Promise<T> {
  let result: FetchResult<T>;
  try {
    result = await request;
  } catch {
    throw new ApiError(0, 'network_error', 'The registry could not be reached. Check that it is running and try again.');
  }
  const { data, error, response } = result;
  if (response.ok) return data as T;
  const body = (error ?? {}) as { error?: { code?: string; message?: string; details?: unknown } };
  throw new ApiError(
    response.status,
    body.error?.code ?? `http_${response.status}`,
    body.error?.message ?? `The registry answered ${response.status} ${response.statusText}.`,
    body.error?.details,
  );
}
