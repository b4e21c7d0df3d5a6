import { Anchor, Badge, Button, Card, Group, Select, Stack, Table, Text, Textarea, TextInput, Title } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Link, useLocation } from 'wouter';
import { api, ApiError, call, type Schema } from '../api/client.js';
import { ConfirmDialog } from '../components/ConfirmDialog.js';
import { ConfigView, PromptBody } from '../components/PromptContent.js';
import { GatedButton, useRoleGate } from '../components/RoleGate.js';
import { EmptyState, ErrorAlert, Loading, QueryState } from '../components/states.js';
import { personLabel, personShort } from '../lib/people.js';
import { formatDateTime, formatShort, fromLocalInput, liveVersionAt, STATUS_COLORS, statusLabel, toLocalInput } from '../lib/format.js';
import { useWorkspace } from '../session/workspace.js';

type Prompt = Schema<'Prompt'>;
type VersionSummary = Schema<'VersionSummary'>;

/** A prompt: live content and config, version history, what was live at a time, roll back, promote, test cases. */
export function PromptPage({ promptId }: { promptId: string }) {
  const prompt = useQuery({
    queryKey: ['prompt', promptId],
    queryFn: () => call(api.GET('/api/v1/prompts/{id}', { params: { path: { id: promptId } } })),
  });
  return <QueryState query={prompt} loadingLabel="Loading the prompt…">{(p) => <PromptView prompt={p} />}</QueryState>;
}

function PromptView({ prompt }: { prompt: Prompt }) {
  const [, navigate] = useLocation();
  const { environments } = useWorkspace();
  const env = environments.find((e) => e.id === prompt.environment_id);
  const live = prompt.live_version;
  return (
    <Stack>
      <Group justify="space-between" align="flex-start">
        <Stack gap={4}>
          <Anchor component={Link} href="/prompts" size="sm">← Prompts</Anchor>
          <Title order={2}>{prompt.key}</Title>
          <Group gap="xs">
            <Badge variant="outline" color={prompt.type === 'chat' ? 'grape' : 'blue'}>{prompt.type}</Badge>
            {env && <Badge variant="light" color="gray">{env.name}</Badge>}
            {live ? <Badge color="green">live: v{live.version_num}</Badge> : <Badge color="gray">nothing live</Badge>}
          </Group>
          {prompt.description && <Text c="dimmed">{prompt.description}</Text>}
        </Stack>
        <Group>
          <Anchor component={Link} href={`/prompts/${prompt.id}/test-cases`}>Test cases</Anchor>
          <GatedButton needs="editor" onClick={() => navigate(`/prompts/${prompt.id}/propose`)}>Propose change</GatedButton>
        </Group>
      </Group>

        <Card withBorder>
          <Title order={3} size="h4" mb="xs">{live ? `Live content (v${live.version_num}, since ${formatDateTime(live.live_from)})` : 'Live content'}</Title>
          {live ? <PromptBody content={live.content} messages={live.messages} /> : <NewestVersion promptId={prompt.id} />}
          {live && (
            <>
              <Title order={4} size="h5" mt="md" mb="xs">Config</Title>
              <ConfigView config={live.config} />
            </>
          )}
        </Card>

      <History prompt={prompt} />
      <Group align="flex-start" grow>
        <LiveAt prompt={prompt} />
        <Promote prompt={prompt} />
      </Group>
    </Stack>
  );
}

/** Nothing live yet: the newest version's content, so a new prompt shows what it says. */
function NewestVersion({ promptId }: { promptId: string }) {
  const versions = useQuery({
    queryKey: ['versions', promptId],
    queryFn: () => call(api.GET('/api/v1/prompts/{id}/versions', { params: { path: { id: promptId }, query: { limit: 200 } } })),
  });
  const newest = versions.data?.items[0];
  const version = useQuery({
    queryKey: ['version', newest?.id],
    enabled: newest !== undefined,
    queryFn: () => call(api.GET('/api/v1/versions/{id}', { params: { path: { id: newest!.id } } })),
  });
  if (versions.isError || version.isError) return <ErrorAlert error={versions.error ?? version.error} />;
  if (versions.isPending || (newest && version.isPending)) return <Loading />;
  if (!newest || !version.data) return <Text c="dimmed">No version is live yet.</Text>;
  return (
    <Stack gap="xs">
      <Text size="sm" c="dimmed">
        No version is live yet. The newest is <Anchor component={Link} href={`/versions/${newest.id}`}>v{newest.version_num}</Anchor> ({statusLabel(newest.status)}):
      </Text>
      <PromptBody content={version.data.content} messages={version.data.messages} />
    </Stack>
  );
}

function History({ prompt }: { prompt: Prompt }) {
  const versions = useQuery({
    queryKey: ['versions', prompt.id],
    queryFn: () => call(api.GET('/api/v1/prompts/{id}/versions', { params: { path: { id: prompt.id }, query: { limit: 200 } } })),
  });
  const [rollbackTo, setRollbackTo] = useState<VersionSummary | null>(null);
  const byId = new Map((versions.data?.items ?? []).map((v) => [v.id, v]));
  return (
    <Card withBorder>
      <Title order={3} size="h4" mb="xs">Version history</Title>
      <QueryState query={versions} loadingLabel="Loading versions…">
        {(page) => page.items.length === 0 ? <EmptyState title="No versions" /> : (
          <Table.ScrollContainer minWidth={760}>
            <Table aria-label="Version history" verticalSpacing="xs">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>Version</Table.Th><Table.Th miw={190}>Status</Table.Th><Table.Th>Author</Table.Th><Table.Th>Reviewer</Table.Th>
                  <Table.Th>Commit message</Table.Th><Table.Th>Review note</Table.Th><Table.Th>Served</Table.Th><Table.Th>Live</Table.Th><Table.Th><span className="pg-sr">Actions</span></Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {page.items.map((v) => {
                  const isLive = prompt.live_version?.id === v.id;
                  const wasLive = v.live_from !== null && !isLive;
                  const rollbackOf = v.rollback_of_version_id ? byId.get(v.rollback_of_version_id) : undefined;
                  return (
                    <Table.Tr key={v.id}>
                      <Table.Td><Anchor component={Link} href={`/versions/${v.id}`} fw={500}>v{v.version_num}</Anchor></Table.Td>
                      <Table.Td>
                        <Group gap={4}>
                          <Badge color={STATUS_COLORS[v.status]}>{statusLabel(v.status)}</Badge>
                          {isLive && <Badge color="green" variant="outline">live</Badge>}
                          {v.rollback_of_version_id && <Badge color="orange" variant="light">rollback to v{rollbackOf?.version_num ?? '?'}</Badge>}
                        </Group>
                      </Table.Td>
                      <Table.Td><Text size="sm" className="pg-break" title={personLabel(v.proposer, '')}>{personShort(v.proposer, v.proposed_by ? 'a deleted account' : '—')}</Text></Table.Td>
                      <Table.Td><Text size="sm" className="pg-break" title={personLabel(v.reviewer, '')}>{personShort(v.reviewer, v.reviewed_by ? 'a deleted account' : '—')}</Text></Table.Td>
                      <Table.Td><Text size="sm">{v.commit_message ?? '—'}</Text></Table.Td>
                      <Table.Td><Text size="sm">{v.review_note ?? '—'}</Text></Table.Td>
                      <Table.Td><Text size="sm" title={v.last_served_at ? `last served ${formatDateTime(v.last_served_at)}` : undefined}>{v.served_count}</Text></Table.Td>
                      <Table.Td><Text size="xs" className="pg-nowrap">{v.live_from ? <>{formatShort(v.live_from)} –<br />{v.live_until ? formatShort(v.live_until) : 'now'}</> : '—'}</Text></Table.Td>
                      <Table.Td>
                        {wasLive && <GatedButton needs="reviewer" size="xs" variant="light" onClick={() => setRollbackTo(v)} aria-label="Roll back">Roll back</GatedButton>}
                      </Table.Td>
                    </Table.Tr>
                  );
                })}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
        )}
      </QueryState>
      {rollbackTo && <RollbackDialog prompt={prompt} version={rollbackTo} onClose={() => setRollbackTo(null)} />}
    </Card>
  );
}

function RollbackDialog({ prompt, version, onClose }: { prompt: Prompt; version: VersionSummary; onClose: () => void }) {
  const queryClient = useQueryClient();
  const [note, setNote] = useState('');
  const rollback = useMutation({
    mutationFn: () => call(api.POST('/api/v1/prompts/{id}/rollback', {
      params: { path: { id: prompt.id } },
      body: { version_num: version.version_num, ...(note.trim() ? { note: note.trim() } : {}) },
    })),
    onSuccess: async () => {
      await Promise.all([
        queryClient.invalidateQueries({ queryKey: ['prompt', prompt.id] }),
        queryClient.invalidateQueries({ queryKey: ['versions', prompt.id] }),
        queryClient.invalidateQueries({ queryKey: ['prompts'] }),
      ]);
      onClose();
    },
  });
  return (
    <ConfirmDialog opened title={`Roll back to v${version.version_num}?`} onCancel={onClose} onConfirm={() => rollback.mutate()} busy={rollback.isPending} confirmColor="orange">
      <Stack>
        <Text size="sm">A new version with the content and config of v{version.version_num} goes live at once, without review. The current live version is archived.</Text>
        <Textarea label="Note" description="Why: shown in the history and the audit log." value={note} onChange={(e) => setNote(e.currentTarget.value)} autosize minRows={2} />
        {rollback.isError && <ErrorAlert error={rollback.error} title="Could not roll back" />}
      </Stack>
    </ConfirmDialog>
  );
}

function LiveAt({ prompt }: { prompt: Prompt }) {
  const [input, setInput] = useState(() => toLocalInput(new Date()));
  const [at, setAt] = useState<string | null>(null);
  const versions = useQuery({
    queryKey: ['versions', prompt.id],
    queryFn: () => call(api.GET('/api/v1/prompts/{id}/versions', { params: { path: { id: prompt.id }, query: { limit: 200 } } })),
  });
  // The history says whether anything was live then; the API answers what exactly (content, config).
  const wasLive = at !== null && versions.data ? liveVersionAt(versions.data.items, at) !== null : null;
  const liveAt = useQuery({
    queryKey: ['live-at', prompt.id, at],
    enabled: at !== null && wasLive !== false,
    retry: false,
    queryFn: async () => {
      try {
        return await call(api.GET('/api/v1/prompts/{id}/live-at', { params: { path: { id: prompt.id }, query: { at: at! } } }));
      } catch (err) {
        // Nothing live at that instant is an answer, not a failure.
        if (err instanceof ApiError && err.status === 404) return null;
        throw err;
      }
    },
  });
  const iso = fromLocalInput(input);
  return (
    <Card withBorder>
      <Title order={3} size="h4" mb="xs">What was live at</Title>
      <form onSubmit={(e) => { e.preventDefault(); if (iso) setAt(iso); }}>
        <Group align="flex-end">
          <TextInput type="datetime-local" step={1} label="Date and time" value={input} onChange={(e) => setInput(e.currentTarget.value)} error={input && !iso ? 'Not a date and time' : undefined} />
          <Button type="submit" variant="light" disabled={!iso}>Show</Button>
        </Group>
      </form>
      {at !== null && (
        <Stack mt="sm" data-testid="live-at-result">
          {wasLive === false ? <Text c="dimmed">Nothing was live at {formatDateTime(at)}.</Text>
            : liveAt.isPending ? <Loading />
            : liveAt.isError ? <ErrorAlert error={liveAt.error} />
              : liveAt.data === null ? <Text c="dimmed">Nothing was live at {formatDateTime(at)}.</Text>
                : (
                  <>
                    <Text size="sm">
                      At {formatDateTime(at)}: <Anchor component={Link} href={`/versions/${liveAt.data.version_id}`}>v{liveAt.data.version_num}</Anchor>,
                      live from {formatDateTime(liveAt.data.live_from)} {liveAt.data.live_until ? `until ${formatDateTime(liveAt.data.live_until)}` : 'until now'}.
                    </Text>
                    <PromptBody content={liveAt.data.content} messages={liveAt.data.messages} />
                  </>
                )}
        </Stack>
      )}
    </Card>
  );
}

function Promote({ prompt }: { prompt: Prompt }) {
  const { environments } = useWorkspace();
  const gate = useRoleGate('editor');
  const targets = environments.filter((e) => e.id !== prompt.environment_id);
  const [target, setTarget] = useState<string | null>(null);
  const queryClient = useQueryClient();
  const promote = useMutation({
    mutationFn: (target_environment_id: string) => call(api.POST('/api/v1/prompts/{id}/promote', { params: { path: { id: prompt.id } }, body: { target_environment_id } })),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ['prompts'] }),
  });
  return (
    <Card withBorder>
      <Title order={3} size="h4" mb="xs">Promote</Title>
      {!prompt.live_version ? <Text c="dimmed" size="sm">Only a live version can be promoted: nothing is live here yet.</Text> : (
        <Stack gap="xs">
          <Text size="sm">Propose the live content (v{prompt.live_version.version_num}) for review in another environment.</Text>
          <Group align="flex-end">
            <Select
              label="Target environment"
              data={targets.map((e) => ({ value: e.id, label: e.name }))}
              value={target}
              onChange={setTarget}
              placeholder="Choose an environment"
              disabled={!gate.allowed}
            />
            <GatedButton needs="editor" disabled={!target} loading={promote.isPending} onClick={() => target && promote.mutate(target)}>Promote</GatedButton>
          </Group>
          {promote.isError && <ErrorAlert error={promote.error} title="Could not promote" />}
          {promote.isSuccess && (
            <Text size="sm" role="status">
              Proposed as <Anchor component={Link} href={`/versions/${promote.data.version.id}`}>v{promote.data.version.version_num}</Anchor> in {environments.find((e) => e.id === target)?.name ?? 'the target environment'}, pending review.
            </Text>
          )}
        </Stack>
      )}
    </Card>
  );
}
