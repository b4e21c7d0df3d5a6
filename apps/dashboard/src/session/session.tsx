import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { createContext, useCallback, useContext, useMemo, useSyncExternalStore, type ReactNode } from 'react';
import { api, ApiError, call, type Schema } from '../api/client.js';
import { tokenStore } from './token-store.js';

export type Me = Schema<'Me'>;
type Credentials = { email: string; password: string };

export interface Session {
  /** Who I am and my memberships (GET /me); null while signed out. */
  me: Me | null;
  /** True while GET /me is in flight for the first time. */
  loading: boolean;
  /** A failure other than "signed out" (the registry down, a 500). */
  error: ApiError | null;
  /** GET /me answered without a token: the registry's development bypass (the seeded admin). */
  bypass: boolean;
  /** POST /auth/signup is open on this registry (ALLOW_SIGNUP). */
  signupAllowed: boolean;
  signedIn: boolean;
  logIn: (credentials: Credentials) => Promise<void>;
  signUp: (credentials: Credentials & { name?: string }) => Promise<void>;
  logOut: () => void;
  retry: () => void;
}

const SessionContext = createContext<Session | null>(null);

/** The signed-in user for the whole app: `useSession()` anywhere below it. */
export function SessionProvider({ children }: { children: ReactNode }) {
  const queryClient = useQueryClient();
  const token = useSyncExternalStore(tokenStore.subscribe, tokenStore.get);
  // Public: whether signup is open and whether the development bypass answers without a token, so
  // the page asks GET /me only when it can answer (no 401 on the way to the login screen).
  const options = useQuery({
    queryKey: ['auth-options'],
    queryFn: () => call(api.GET('/api/v1/auth/options')),
    staleTime: Infinity,
  });
  const bypassOn = options.data?.dev_auth_bypass === true;
  const me = useQuery({
    queryKey: ['me', token],
    enabled: token !== null || bypassOn,
    queryFn: () => call(api.GET('/api/v1/me')),
    retry: (count, err) => !(err instanceof ApiError && err.status > 0 && err.status < 500) && count < 2,
    staleTime: 60_000,
  });
  const signedOut = me.error instanceof ApiError && me.error.status === 401;

  const start = useCallback((accessToken: string) => {
    queryClient.clear();
    tokenStore.set(accessToken);
  }, [queryClient]);
  const login = useMutation({
    mutationFn: (body: Credentials) => call(api.POST('/api/v1/auth/login', { body })),
    onSuccess: (answer) => start(answer.access_token),
  });
  const signup = useMutation({
    mutationFn: (body: Credentials & { name?: string }) => call(api.POST('/api/v1/auth/signup', { body })),
    onSuccess: (answer) => start(answer.access_token),
  });

  const logOut = useCallback(() => {
    tokenStore.clear();
    queryClient.clear();
  }, [queryClient]);

  const asking = token !== null || bypassOn;
  const value = useMemo<Session>(() => ({
    me: me.data ?? null,
    loading: options.isPending || (asking && me.isPending),
    error: options.error instanceof ApiError ? options.error : me.error instanceof ApiError && !signedOut ? me.error : null,
    bypass: me.data !== undefined && token === null,
    signupAllowed: options.data?.signup_allowed ?? true,
    signedIn: me.data !== undefined,
    logIn: async (c) => { await login.mutateAsync(c); },
    signUp: async (c) => { await signup.mutateAsync(c); },
    logOut,
    retry: () => { void options.refetch(); if (asking) void me.refetch(); },
  }), [me, options, asking, signedOut, token, login, signup, logOut]);
  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}

export function useSession(): Session {
  const session = useContext(SessionContext);
  if (!session) throw new Error('useSession outside SessionProvider');
  return session;
}
