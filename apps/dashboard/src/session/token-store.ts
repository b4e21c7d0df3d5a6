/**
 * The access token: kept in memory and in sessionStorage (so a reload keeps the session, a new tab
 * or a closed browser does not). No cookie is set; the API takes the token as a bearer header.
 */
const KEY = 'promptgate.token';
type Listener = () => void;
const listeners = new Set<Listener>();
let current: string | null = readStored();

function readStored(): string | null {
  try {
    return globalThis.sessionStorage?.getItem(KEY) ?? null;
  } catch {
    return null;
  }
}

function write(token: string | null): void {
  current = token;
  try {
    if (token) globalThis.sessionStorage?.setItem(KEY, token);
    else globalThis.sessionStorage?.removeItem(KEY);
  } catch {
    // Storage can be unavailable (private mode, a sandboxed frame): the token stays in memory only.
  }
  for (const listener of listeners) listener();
}

export const tokenStore = {
  get: (): string | null => current,
  set: (token: string): void => write(token),
  clear: (): void => write(null),
  /** The API refused the token (401): forget it; the session provider shows the login screen. */
  expire: (): void => write(null),
  subscribe: (listener: Listener): (() => void) => {
    listeners.add(listener);
    return () => listeners.delete(listener);
  },
};
