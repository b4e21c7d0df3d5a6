import { MantineProvider } from '@mantine/core';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { Shell } from './components/Shell.js';
import { ErrorAlert, Loading } from './components/states.js';
import { LoginPage } from './pages/LoginPage.js';
import { AppRoutes } from './routes.js';
import { SessionProvider, useSession } from './session/session.js';
import { WorkspaceProvider } from './session/workspace.js';

const queryClient = new QueryClient({
  defaultOptions: {
    queries: { retry: 1, refetchOnWindowFocus: false, staleTime: 5_000 },
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
 * Mantine's default theme only, with its CSS variables from the static stylesheet
 * (withCssVariables={false}): the page injects no <style> element, so the CSP needs no inline styles.
 */
export function App() {
  return (
    <MantineProvider withCssVariables={false} defaultColorScheme="light">
      <QueryClientProvider client={queryClient}>
        <SessionProvider><Gate /></SessionProvider>
      </QueryClientProvider>
    </MantineProvider>
  );
}
