import { Badge, Card, Group, List, Progress, Stack, Text, Title } from '@mantine/core';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { api, call, type Schema } from '../api/client.js';
import { formatDateTime, STATUS_COLORS } from '../lib/format.js';
import { GatedButton } from './RoleGate.js';
import { RunEvaluationDialog } from './RunDialogs.js';
import { EmptyState, QueryState } from './states.js';

type Eval = Schema<'Eval'>;
const active = (e: { status: string }) => e.status === 'queued' || e.status === 'running';
const POLL_MS = 1500;

const words = (name: string) => name.replace(/_/g, ' ');
const barColor = (score: number) => (score >= 7 ? 'green' : score >= 4 ? 'yellow' : 'red');

/** A version's evaluations, newest first: each dimension a bar (0-10) with its reason; the judge's suggestions. Polls while one runs. */
export function Evaluations({ versionId }: { versionId: string }) {
  const queryClient = useQueryClient();
  const [running, setRunning] = useState(false);
  const evals = useQuery({
    queryKey: ['evals', versionId],
    queryFn: () => call(api.GET('/api/v1/versions/{id}/evals', { params: { path: { id: versionId } } })),
    refetchInterval: (q) => (q.state.data?.items.some(active) ? POLL_MS : false),
  });
  return (
    <Card withBorder>
      <Group justify="space-between" mb="xs">
        <Title order={3} size="h4">Evaluations</Title>
        <GatedButton needs="editor" variant="light" onClick={() => setRunning(true)}>Run evaluation</GatedButton>
      </Group>
      <QueryState query={evals} loadingLabel="Loading evaluations…">
        {(page) => page.items.length === 0
          ? <EmptyState title="No evaluations yet">Submitting for review queues a rules evaluation; “Run evaluation” runs one now.</EmptyState>
          : <Stack>{page.items.map((e) => <EvalView key={e.id} evaluation={e} />)}</Stack>}
      </QueryState>
      <RunEvaluationDialog versionId={versionId} opened={running} onClose={() => setRunning(false)}
        onQueued={() => void queryClient.invalidateQueries({ queryKey: ['evals', versionId] })} />
    </Card>
  );
}

function EvalView({ evaluation: e }: { evaluation: Eval }) {
  const title = e.mode === 'rules' ? 'Rules evaluation' : `Judge evaluation (${e.provider ?? '?'}${e.model ? ` ${e.model}` : ''})`;
  return (
    <Card withBorder padding="sm" aria-label={title} component="section">
      <Group justify="space-between" mb="xs">
        <Group gap="xs">
          <Text fw={600}>{title}</Text>
          <Badge color={STATUS_COLORS[e.status]}>{e.status}</Badge>
          {e.score !== null && <Badge color={barColor(e.score)} variant="filled" size="lg">score {e.score.toFixed(1)} / 10</Badge>}
        </Group>
        <Text size="xs" c="dimmed">{formatDateTime(e.finished_at ?? e.created_at)}</Text>
      </Group>
      {active(e) && <Text size="sm" c="dimmed" role="status">{e.status === 'queued' ? 'Waiting for the eval worker…' : 'Evaluating…'}</Text>}
      {e.status === 'failed' && <Text size="sm" c="red">Failed: {e.error ?? 'no reason given'}</Text>}
      {e.dimensions.length > 0 && (
        <div className="pg-dims">
          {e.dimensions.map((d) => (
            <div key={d.name} className="pg-dim">
              <Group justify="space-between" gap="xs">
                <Text size="sm" fw={500}>{words(d.name)}</Text>
                <Text size="sm">{d.score.toFixed(1)}</Text>
              </Group>
              <Progress.Root size="md">
                <Progress.Section value={d.score * 10} color={barColor(d.score)} aria-label={`${words(d.name)}: ${d.score} of 10`} />
              </Progress.Root>
              <Text size="xs" c="dimmed">{d.reason}</Text>
              {d.suggestion && <Text size="xs">Suggestion: {d.suggestion}</Text>}
            </div>
          ))}
        </div>
      )}
      {e.suggestions.length > 0 && (
        <>
          <Text size="sm" fw={500} mt="sm">Suggestions</Text>
          <List size="sm">{e.suggestions.map((s, i) => <List.Item key={i}>{s}</List.Item>)}</List>
        </>
      )}
    </Card>
  );
}
