import { Anchor, Badge, Card, Group, Progress, Select, Stack, Table, Text, Title } from '@mantine/core';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Link } from 'wouter';
import { api, call, type Schema } from '../api/client.js';
import { formatDateTime, STATUS_COLORS } from '../lib/format.js';
import { wordDiff } from '../lib/word-diff.js';
import { GatedButton } from './RoleGate.js';
import { RunTestsDialog } from './RunDialogs.js';
import { EmptyState, ErrorAlert, Loading, QueryState } from './states.js';

type TestRun = Schema<'TestRun'>;
type Result = TestRun['results'][number];
const active = (r: { status: string }) => r.status === 'queued' || r.status === 'running';
const POLL_MS = 1500;
const VERDICT_COLORS: Record<string, string> = { same: 'gray', improved: 'green', regressed: 'red', different: 'yellow' };

/** A version's test runs: progress while one runs (polled), then per case both answers side by side, assertions, verdict. */
export function TestRuns({ versionId, promptId }: { versionId: string; promptId: string }) {
  const queryClient = useQueryClient();
  const [running, setRunning] = useState(false);
  const [selected, setSelected] = useState<string | null>(null);
  const runs = useQuery({
    queryKey: ['test-runs', versionId],
    queryFn: () => call(api.GET('/api/v1/versions/{id}/test-runs', { params: { path: { id: versionId } } })),
    refetchInterval: (q) => (q.state.data?.items.some(active) ? POLL_MS : false),
  });
  const current = selected ?? runs.data?.items[0]?.id ?? null;
  return (
    <Card withBorder>
      <Group justify="space-between" mb="xs">
        <Title order={3} size="h4">Test runs</Title>
        <Group>
          <Anchor component={Link} href={`/prompts/${promptId}/test-cases`} size="sm">Test cases</Anchor>
          <GatedButton needs="editor" variant="light" onClick={() => setRunning(true)}>Run tests</GatedButton>
        </Group>
      </Group>
      <QueryState query={runs} loadingLabel="Loading test runs…">
        {(page) => page.items.length === 0
          ? <EmptyState title="No test runs yet">“Run tests” answers the prompt&apos;s test cases with this version and the live one, and compares them.</EmptyState>
          : (
            <Stack>
              {page.items.length > 1 && (
                <Select label="Test run" w={360} allowDeselect={false} value={current}
                  onChange={setSelected}
                  data={page.items.map((r) => ({ value: r.id, label: `${formatDateTime(r.created_at)}: ${r.provider} ${r.model} (${r.status})` }))} />
              )}
              {current && <TestRunView runId={current} />}
            </Stack>
          )}
      </QueryState>
      <RunTestsDialog versionId={versionId} opened={running} onClose={() => setRunning(false)}
        onQueued={(id) => { setSelected(id); void queryClient.invalidateQueries({ queryKey: ['test-runs', versionId] }); }} />
    </Card>
  );
}

function TestRunView({ runId }: { runId: string }) {
  const queryClient = useQueryClient();
  const run = useQuery({
    queryKey: ['test-run', runId],
    queryFn: () => call(api.GET('/api/v1/test-runs/{id}', { params: { path: { id: runId } } })),
    refetchInterval: (q) => {
      const data = q.state.data;
      if (data && !active(data)) {
        // Finished: the list's summary (status) catches up too.
        void queryClient.invalidateQueries({ queryKey: ['test-runs', data.version_id] });
        return false;
      }
      return POLL_MS;
    },
  });
  if (run.isPending) return <Loading label="Loading the test run…" />;
  if (run.isError) return <ErrorAlert error={run.error} onRetry={() => void run.refetch()} />;
  const r = run.data;
  const pct = r.cases_total ? (r.cases_done / r.cases_total) * 100 : 0;
  return (
    <Stack>
      <Group gap="xs">
        <Badge color={STATUS_COLORS[r.status]}>{r.status}</Badge>
        <Text size="sm">{r.provider} {r.model}</Text>
        <Text size="sm">{r.cases_passed} of {r.cases_total} passed</Text>
        <Text size="sm" c={r.regressions > 0 ? 'red' : undefined}>{r.regressions} regression{r.regressions === 1 ? '' : 's'}</Text>
        {!r.baseline_version_id && <Text size="sm" c="dimmed">(no live version to compare with)</Text>}
      </Group>
      {active(r) && (
        <Stack gap={4} role="status">
          <Text size="sm">{r.status === 'queued' ? 'Waiting for the worker…' : `Running: ${r.cases_done} of ${r.cases_total} cases done`}</Text>
          <Progress.Root size="lg"><Progress.Section value={pct} animated aria-label={`Test run progress: ${r.cases_done} of ${r.cases_total} cases`} /></Progress.Root>
        </Stack>
      )}
      {r.status === 'failed' && r.error && <Text size="sm" c="red">The run failed: {r.error}</Text>}
      {r.results.map((c) => <CaseResult key={c.test_case_id} result={c} hasBaseline={r.baseline_version_id !== null} />)}
    </Stack>
  );
}

function CaseResult({ result: c, hasBaseline }: { result: Result; hasBaseline: boolean }) {
  const marks = wordDiff(c.baseline_output ?? '', c.output ?? '');
  const passed = c.assertions.every((a) => a.passed) && !c.error;
  return (
    <Card withBorder padding="sm" component="section" aria-label={`Test case ${c.name}`}>
      <Group justify="space-between" mb="xs">
        <Group gap="xs">
          <Text fw={600}>{c.name}</Text>
          <Badge color={passed ? 'green' : 'red'}>{passed ? 'passed' : 'failed'}</Badge>
          {c.verdict && <Badge color={VERDICT_COLORS[c.verdict]} variant="light">{c.verdict}</Badge>}
        </Group>
      </Group>
      {c.reason && <Text size="sm" mb="xs">Verdict: {c.verdict ?? '—'}. {c.reason}</Text>}
      {c.error && <Text size="sm" c="red" mb="xs">Error: {c.error}</Text>}
      <div className="pg-answers">
        <div>
          <Text size="xs" fw={600} c="dimmed" mb={4}>Live answer</Text>
          {hasBaseline && c.baseline_output !== null
            ? <pre className="pg-pre pg-answer">{marks.before.map((m, i) => m.changed ? <del key={i} className="pg-mark-del">{m.text}</del> : <span key={i}>{m.text}</span>)}</pre>
            : <Text size="sm" c="dimmed">{hasBaseline ? 'No answer.' : 'No live version.'}</Text>}
        </div>
        <div>
          <Text size="xs" fw={600} c="dimmed" mb={4}>Candidate answer</Text>
          {c.output !== null
            ? <pre className="pg-pre pg-answer">{(hasBaseline ? marks.after : [{ text: c.output, changed: false }]).map((m, i) => m.changed ? <ins key={i} className="pg-mark-add">{m.text}</ins> : <span key={i}>{m.text}</span>)}</pre>
            : <Text size="sm" c="dimmed">No answer.</Text>}
        </div>
      </div>
      {c.assertions.length > 0 && (
        <Table mt="xs" aria-label={`Assertions of ${c.name}`}>
          <Table.Thead><Table.Tr><Table.Th>Assertion</Table.Th><Table.Th>Value</Table.Th><Table.Th>Result</Table.Th><Table.Th>Detail</Table.Th></Table.Tr></Table.Thead>
          <Table.Tbody>
            {c.assertions.map((a, i) => (
              <Table.Tr key={i}>
                <Table.Td><code>{a.type}</code></Table.Td>
                <Table.Td><Text size="sm">{typeof a.value === 'string' ? a.value : JSON.stringify(a.value)}</Text></Table.Td>
                <Table.Td><Badge color={a.passed ? 'green' : 'red'} variant="light">{a.passed ? 'passed' : 'failed'}</Badge></Table.Td>
                <Table.Td><Text size="sm">{a.detail ?? '—'}</Text></Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      )}
    </Card>
  );
}
