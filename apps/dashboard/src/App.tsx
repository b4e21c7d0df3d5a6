import { MantineProvider } from '@mantine/core';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { setNonce } from 'get-nonce';
import { ApiError } from './api/client.js';
import { Shell } from './components/Shell.js';
import { ErrorAlert, Loading } from './components/states.js';
import { LoginPage } from './pages/LoginPage.js';
import { AppRoutes } from './routes.js';
import { SessionProvider, useSession } from './session/session.js';
import { WorkspaceProvider } from './session/workspace.js';

const queryClient = new QueryClient({
  defaultOptions: {
    // A 4xx will answer the same again: retry only what may pass (the network, a 5xx), once.
    queries: { retry: (count, err) => count < 1 && !(err instanceof ApiError && err.status >= 400 && err.status < 500), refetchOnWindowFocus: false, staleTime: 5_000 },
  },
});

function Gate() {
  const session = useSession();
  if (session.loading) return <Loading label="Connecting to the registry…" />;
  if (session.error) return <div className="pg-center"><ErrorAlert error={session.error} onRetry={session.retry} /></div>;
  if (!session.signedIn) return <LoginPage />;
  return (
    <WorkspaceProvider>
      <Shell><AppRoutes /></Shell>
    </WorkspaceProvider>
  );
}

/**
 * The nonce the registry puts in `<meta property="csp-nonce">` of every index.html it serves: the
 * CSP allows <style> elements only with it (style-src 'self' 'nonce-...'), and Mantine inserts a few
 * (its global classes). Empty when the page was not served by the registry (Vite's dev server).
 */
const styleNonce = (): string => document.querySelector<HTMLMetaElement>('meta[property="csp-nonce"]')?.nonce ?? '';
// Mantine's modals lock scrolling with react-remove-scroll, whose <style> takes its nonce from get-nonce.
setNonce(styleNonce());

/** Mantine's default theme, its CSS variables from the static stylesheet (withCssVariables={false}). */
export function App() {
  return (
    <MantineProvider withCssVariables={false} defaultColorScheme="light" getStyleNonce={styleNonce}>
      <QueryClientProvider client={queryClient}>
        <SessionProvider><Gate /></SessionProvider>
      </QueryClientProvider>
    </MantineProvider>
  );
}
