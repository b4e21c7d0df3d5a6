import { Alert, Anchor, Badge, Card, Checkbox, Group, Stack, Text, Textarea, Title, Tooltip } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Link } from 'wouter';
import { api, ApiError, call, type Schema } from '../api/client.js';
import { DiffView } from '../components/DiffView.js';
import { Evaluations } from '../components/Evaluations.js';
import { ConfigView, PromptBody } from '../components/PromptContent.js';
import { GatedButton } from '../components/RoleGate.js';
import { ErrorAlert, Loading, QueryState } from '../components/states.js';
import { TestRuns } from '../components/TestRuns.js';
import { explainError } from '../lib/explain-error.js';
import { personLabel } from '../lib/people.js';
import { formatDateTime, STATUS_COLORS, statusLabel } from '../lib/format.js';
import { useWorkspace } from '../session/workspace.js';

type Version = Schema<'Version'>;
type Prompt = Schema<'Prompt'>;

/** A version: its content, the diff against its base, evaluations, test runs, and the review actions. */
export function VersionPage({ versionId }: { versionId: string }) {
  const version = useQuery({
    queryKey: ['version', versionId],
    queryFn: () => call(api.GET('/api/v1/versions/{id}', { params: { path: { id: versionId } } })),
  });
  const promptId = version.data?.prompt_id;
  const prompt = useQuery({
    queryKey: ['prompt', promptId],
    enabled: promptId !== undefined,
    queryFn: () => call(api.GET('/api/v1/prompts/{id}', { params: { path: { id: promptId! } } })),
  });
  if (version.isError) return <ErrorAlert error={version.error} title="Could not load the version" onRetry={() => void version.refetch()} />;
  if (prompt.isError) return <ErrorAlert error={prompt.error} title="Could not load the prompt" onRetry={() => void prompt.refetch()} />;
  if (version.isPending || prompt.isPending) return <Loading label="Loading the version…" />;
  return <VersionView version={version.data} prompt={prompt.data} />;
}

function VersionView({ version: v, prompt }: { version: Version; prompt: Prompt }) {
  const { environments } = useWorkspace();
  const env = environments.find((e) => e.id === prompt.environment_id);
  const isLive = prompt.live_version?.id === v.id;
  return (
    <Stack>
      <Stack gap={4}>
        <Group gap="xs">
          <Anchor component={Link} href="/review" size="sm">← Review</Anchor>
          <Text size="sm" c="dimmed">·</Text>
          <Anchor component={Link} href={`/prompts/${prompt.id}`} size="sm">{prompt.key}</Anchor>
        </Group>
        <Title order={2}>{prompt.key} v{v.version_num}</Title>
        <Group gap="xs">
          <Badge color={STATUS_COLORS[v.status]} size="lg">{statusLabel(v.status)}</Badge>
          {isLive && <Badge color="green" variant="outline" size="lg">live</Badge>}
          {env && <Badge variant="light" color="gray">{env.name}{env.is_protected ? ' (protected)' : ''}</Badge>}
          <Badge variant="outline" color={v.type === 'chat' ? 'grape' : 'blue'}>{v.type}</Badge>
        </Group>
        <Text size="sm">Proposed by {personLabel(v.proposer, v.proposed_by ? 'a deleted account' : '—')} on {formatDateTime(v.created_at)}{v.commit_message ? `: “${v.commit_message}”` : ''}</Text>
        {v.reviewed_by && <Text size="sm">{v.status === 'rejected' ? 'Rejected' : 'Approved'} by {personLabel(v.reviewer, v.reviewed_by ? 'a deleted account' : '—')}{v.reviewed_at ? ` on ${formatDateTime(v.reviewed_at)}` : ''}</Text>}
        {v.review_note && <Text size="sm">Review note: “{v.review_note}”</Text>}
      </Stack>

      <ReviewActions version={v} prompt={prompt} />

      <Card withBorder>
        <Title order={3} size="h4" mb="xs">Changes</Title>
        <Diff versionId={v.id} />
      </Card>

      <Evaluations versionId={v.id} />
      <TestRuns versionId={v.id} promptId={prompt.id} />

      <Card withBorder>
        <Title order={3} size="h4" mb="xs">Content of v{v.version_num}</Title>
        <PromptBody content={v.content} messages={v.messages} />
        <Title order={4} size="h5" mt="md" mb="xs">Config</Title>
        <ConfigView config={v.config} />
      </Card>
    </Stack>
  );
}

function Diff({ versionId }: { versionId: string }) {
  const diff = useQuery({
    queryKey: ['diff', versionId],
    queryFn: () => call(api.GET('/api/v1/versions/{id}/diff', { params: { path: { id: versionId } } })),
  });
  return (
    <QueryState query={diff} loadingLabel="Loading the diff…">
      {(d) => <DiffView lines={d.lines} added={d.added} removed={d.removed} configChanges={d.config_changes}
        baseLabel={d.base_version_num !== null ? `v${d.base_version_num}, the live version it was based on` : 'nothing (the first version)'} />}
    </QueryState>
  );
}

/** Submit (draft), or approve / reject with a note (pending review); the gate's refusals explained; the admin override. */
function ReviewActions({ version: v, prompt }: { version: Version; prompt: Prompt }) {
  const queryClient = useQueryClient();
  const { can } = useWorkspace();
  const [note, setNote] = useState('');
  const [override, setOverride] = useState(false);
  const [noteMissing, setNoteMissing] = useState(false);
  const refresh = () => Promise.all([
    queryClient.invalidateQueries({ queryKey: ['version', v.id] }),
    queryClient.invalidateQueries({ queryKey: ['prompt', prompt.id] }),
    queryClient.invalidateQueries({ queryKey: ['versions', prompt.id] }),
    queryClient.invalidateQueries({ queryKey: ['reviews'] }),
    queryClient.invalidateQueries({ queryKey: ['evals', v.id] }),
    queryClient.invalidateQueries({ queryKey: ['prompts'] }),
  ]);
  const submit = useMutation({
    mutationFn: () => call(api.POST('/api/v1/versions/{id}/submit', { params: { path: { id: v.id } } })),
    onSuccess: refresh,
  });
  const approve = useMutation({
    mutationFn: () => call(api.POST('/api/v1/versions/{id}/approve', {
      params: { path: { id: v.id } },
      body: { ...(note.trim() ? { note: note.trim() } : {}), ...(override ? { override_eval: true } : {}) },
    })),
    onSuccess: refresh,
  });
  const reject = useMutation({
    mutationFn: () => call(api.POST('/api/v1/versions/{id}/reject', { params: { path: { id: v.id } }, body: { note: note.trim() } })),
    onSuccess: refresh,
  });
  const refusal = approve.error ?? reject.error;
  const gateRefusal = refusal instanceof ApiError && ['eval_required', 'eval_below_threshold', 'tests_required', 'tests_failed'].includes(refusal.code);

  if (v.status === 'draft') {
    return (
      <Card withBorder>
        <Group justify="space-between">
          <Text size="sm">This version is a draft: submit it so a reviewer can approve it. A rules evaluation is queued on submit.</Text>
          <GatedButton needs="editor" onClick={() => submit.mutate()} loading={submit.isPending}>Submit for review</GatedButton>
        </Group>
        {submit.isError && <ErrorAlert error={submit.error} title="Could not submit" />}
      </Card>
    );
  }
  if (v.status !== 'pending_review') {
    return v.status === 'rejected'
      ? <Alert color="red" title="Rejected">{v.review_note ?? 'No note.'}</Alert>
      : v.status === 'approved'
        ? <Alert color="green" title={prompt.live_version?.id === v.id ? 'Approved: this version is live' : 'Approved'}>{v.review_note ?? ''}</Alert>
        : null;
  }
  return (
    <Card withBorder>
      <Stack>
        <Title order={3} size="h4">Review</Title>
        <Textarea label="Review note" description="Shown in the history; required to reject." autosize minRows={2} value={note}
          onChange={(e) => { setNote(e.currentTarget.value); setNoteMissing(false); }} error={noteMissing ? 'Say why it is rejected: the proposer reads this.' : undefined} />
        {can('admin') && (
          <Tooltip label="Admins and owners may approve although the eval or test gate refuses; the audit log records it." withArrow multiline w={300}>
            <Checkbox label="Override the eval and test gates" checked={override} onChange={(e) => setOverride(e.currentTarget.checked)} w="fit-content" />
          </Tooltip>
        )}
        <Group>
          <GatedButton needs="reviewer" color="green" loading={approve.isPending} onClick={() => { reject.reset(); approve.mutate(); }}>Approve</GatedButton>
          <GatedButton needs="reviewer" color="red" variant="light" loading={reject.isPending}
            onClick={() => { approve.reset(); if (!note.trim()) setNoteMissing(true); else reject.mutate(); }}>Reject</GatedButton>
        </Group>
        {refusal && <ErrorAlert error={refusal} title={explainError(refusal).title} />}
        {gateRefusal && can('admin') && !override && <Text size="sm">As an {can('owner') ? 'owner' : 'admin'} you may tick “Override the eval and test gates” and approve again.</Text>}
      </Stack>
    </Card>
  );
}
