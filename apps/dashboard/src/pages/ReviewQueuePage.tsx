import { Anchor, Badge, Button, Group, Stack, Table, Text, Title } from '@mantine/core';
import { Link } from 'wouter';
import { api, call } from '../api/client.js';
import { cursorParam, useCursorPages } from '../api/cursor-pages.js';
import { EmptyState, ErrorAlert, Loading } from '../components/states.js';
import { formatDateTime } from '../lib/format.js';
import { personLabel } from '../lib/people.js';
import { useWorkspace } from '../session/workspace.js';

/** Versions waiting for review across the workspace's environments (GET /workspaces/:ws/reviews), oldest submission first. */
export function ReviewQueuePage() {
  const { workspace, role } = useWorkspace();
  const wsId = workspace?.id;
  const [queue, items] = useCursorPages(['reviews', wsId], (cursor) => call(api.GET('/api/v1/workspaces/{ws}/reviews', {
    params: { path: { ws: wsId! }, query: { limit: 50, ...cursorParam(cursor) } },
  })), { enabled: wsId !== undefined, refetchInterval: 15_000 });
  return (
    <Stack>
      <Title order={2}>Review</Title>
      <Text c="dimmed" size="sm">
        Changes waiting for a reviewer in every environment of {workspace?.name ?? 'this workspace'}, oldest first.
        {role && role !== 'reviewer' && role !== 'admin' && role !== 'owner' ? ' Approving needs the reviewer role or higher.' : ''}
      </Text>
      {!wsId ? <EmptyState title="No workspace" />
        : queue.isPending ? <Loading label="Loading the review queue…" />
          : queue.isError ? <ErrorAlert error={queue.error} title="Could not load the review queue" onRetry={() => void queue.refetch()} />
            : items.length === 0 ? <EmptyState title="Nothing to review">No version is pending review in this workspace.</EmptyState>
              : (
                <>
                  <Table striped highlightOnHover aria-label="Review queue">
                    <Table.Thead>
                      <Table.Tr><Table.Th>Change</Table.Th><Table.Th>Environment</Table.Th><Table.Th>Proposed by</Table.Th><Table.Th>Commit message</Table.Th><Table.Th>Submitted</Table.Th><Table.Th>Evaluation</Table.Th></Table.Tr>
                    </Table.Thead>
                    <Table.Tbody>
                      {items.map((v) => (
                        <Table.Tr key={v.id}>
                          <Table.Td><Anchor component={Link} href={`/versions/${v.id}`} fw={500}>{v.prompt.key} v{v.version_num}</Anchor></Table.Td>
                          <Table.Td>
                            <Group gap={4}>
                              <Text size="sm">{v.environment.name}</Text>
                              {v.environment.is_protected && <Badge size="xs" color="orange" variant="light">protected</Badge>}
                            </Group>
                          </Table.Td>
                          <Table.Td><Text size="sm">{personLabel(v.proposer, 'a deleted account')}</Text></Table.Td>
                          <Table.Td><Text size="sm">{v.commit_message ?? '—'}</Text></Table.Td>
                          <Table.Td><Text size="sm">{formatDateTime(v.submitted_at ?? v.created_at)}</Text></Table.Td>
                          <Table.Td>
                            {v.last_eval
                              ? <Badge variant="light" color={v.last_eval.status === 'succeeded' ? 'blue' : 'gray'}>{v.last_eval.mode} {v.last_eval.score !== null ? v.last_eval.score.toFixed(1) : v.last_eval.status}</Badge>
                              : <Text size="sm" c="dimmed">none</Text>}
                          </Table.Td>
                        </Table.Tr>
                      ))}
                    </Table.Tbody>
                  </Table>
                  {queue.hasNextPage && <Group><Button variant="default" loading={queue.isFetchingNextPage} onClick={() => void queue.fetchNextPage()}>Load more</Button></Group>}
                </>
              )}
    </Stack>
  );
}
