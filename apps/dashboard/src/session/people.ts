import { useQuery } from '@tanstack/react-query';
import { api, call } from '../api/client.js';

/**
 * The workspace's members by user id, to show who proposed and who reviewed a version by name
 * (versions carry user ids). A user no longer a member shows as "a former member".
 */
export function usePeople(workspaceId: string | undefined): (userId: string | null | undefined) => string {
  const members = useQuery({
    queryKey: ['members', workspaceId],
    enabled: workspaceId !== undefined,
    queryFn: () => call(api.GET('/api/v1/workspaces/{ws}/members', { params: { path: { ws: workspaceId! }, query: { limit: 200 } } })),
    staleTime: 60_000,
  });
  return (userId) => {
    if (!userId) return '—';
    const m = members.data?.items.find((x) => x.user.id === userId);
    if (m) return m.user.name ? `${m.user.name} (${m.user.email})` : m.user.email;
    return members.isPending ? '…' : 'a former member';
  };
}
