import { useQuery } from '@tanstack/react-query';
import { createContext, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import { api, call, type Schema } from '../api/client.js';
import { roleAtLeast, type Role } from '../lib/roles.js';
import { useSession } from './session.js';

export type Workspace = Schema<'Workspace'>;
export type Environment = Schema<'Environment'>;

export interface WorkspaceContextValue {
  workspaces: Workspace[];
  workspace: Workspace | null;
  /** My role in the current workspace. */
  role: Role | null;
  /** True when my role is `min` or above. */
  can: (min: Role) => boolean;
  environments: Environment[];
  environment: Environment | null;
  environmentsLoading: boolean;
  environmentsError: Error | null;
  selectWorkspace: (id: string) => void;
  selectEnvironment: (id: string) => void;
}

const Context = createContext<WorkspaceContextValue | null>(null);
const WS_KEY = 'promptgate.workspace';
const ENV_KEY = 'promptgate.environment';

function stored(key: string): string | null {
  try {
    return globalThis.sessionStorage?.getItem(key) ?? null;
  } catch {
    return null;
  }
}
function store(key: string, value: string): void {
  try {
    globalThis.sessionStorage?.setItem(key, value);
  } catch {
    // memory only
  }
}

/** The current workspace and environment, chosen in the header and kept for the tab's session. */
export function WorkspaceProvider({ children }: { children: ReactNode }) {
  const { me } = useSession();
  const memberships = useMemo(() => me?.memberships ?? [], [me]);
  const [wsId, setWsId] = useState<string | null>(() => stored(WS_KEY));
  const [envId, setEnvId] = useState<string | null>(() => stored(ENV_KEY));

  const membership = memberships.find((m) => m.workspace.id === wsId) ?? memberships[0] ?? null;
  const workspace = membership?.workspace ?? null;

  const environments = useQuery({
    queryKey: ['environments', workspace?.id],
    enabled: workspace !== null,
    queryFn: () => call(api.GET('/api/v1/workspaces/{ws}/environments', { params: { path: { ws: workspace!.id } } })),
  });
  const envs = useMemo(() => environments.data?.items ?? [], [environments.data]);
  const environment = envs.find((e) => e.id === envId) ?? envs[0] ?? null;

  useEffect(() => {
    if (workspace) store(WS_KEY, workspace.id);
  }, [workspace]);
  useEffect(() => {
    if (environment) store(ENV_KEY, environment.id);
  }, [environment]);

  const value = useMemo<WorkspaceContextValue>(() => {
    const role = membership?.role ?? null;
    return {
      workspaces: memberships.map((m) => m.workspace),
      workspace,
      role,
      can: (min) => role !== null && roleAtLeast(role, min),
      environments: envs,
      environment,
      environmentsLoading: environments.isPending && workspace !== null,
      environmentsError: environments.error,
      selectWorkspace: (id) => { setWsId(id); setEnvId(null); },
      selectEnvironment: (id) => setEnvId(id),
    };
  }, [membership, memberships, workspace, envs, environment, environments.isPending, environments.error]);
  return <Context.Provider value={value}>{children}</Context.Provider>;
}

export function useWorkspace(): WorkspaceContextValue {
  const value = useContext(Context);
  if (!value) throw new Error('useWorkspace outside WorkspaceProvider');
  return value;
}
