import { Anchor, Badge, Button, Group, Modal, SegmentedControl, Stack, Table, Text, Textarea, TextInput, Title } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Link, useLocation } from 'wouter';
import { api, call } from '../api/client.js';
import { cursorParam, useCursorPages } from '../api/cursor-pages.js';
import { MessagesEditor } from '../components/MessagesEditor.js';
import { GatedButton } from '../components/RoleGate.js';
import { EmptyState, ErrorAlert, Loading } from '../components/states.js';
import { formatDateTime } from '../lib/format.js';
import { withoutUid, withUid, type EditedMessage } from '../lib/messages.js';
import { useWorkspace } from '../session/workspace.js';
import { FormActions } from '../components/FormActions.js';

/** The prompts of the current environment: search, type, live version, pending count, last change; "New prompt". */
export function PromptsPage() {
  const { environment, environmentsLoading, environmentsError } = useWorkspace();
  const [search, setSearch] = useState('');
  const [debounced] = useDebouncedValue(search.trim(), 250);
  const [creating, setCreating] = useState(false);
  const envId = environment?.id;

  const [prompts, items] = useCursorPages(['prompts', envId, debounced], (cursor) => call(api.GET('/api/v1/environments/{env}/prompts', {
    params: { path: { env: envId! }, query: { ...(debounced ? { search: debounced } : {}), ...cursorParam(cursor), limit: 50 } },
  })), { enabled: envId !== undefined, keepPrevious: true });

  return (
    <Stack>
      <Group justify="space-between">
        <Title order={2}>Prompts{environment ? <Text span c="dimmed" fz="lg"> in {environment.name}</Text> : null}</Title>
        <GatedButton needs="editor" onClick={() => setCreating(true)} disabled={!environment}>New prompt</GatedButton>
      </Group>
      <TextInput label="Search prompts" placeholder="Key or description" value={search} onChange={(e) => setSearch(e.currentTarget.value)} maw={420} />
      {environmentsError ? <ErrorAlert error={environmentsError} title="Could not load the environments" />
        : environmentsLoading || (prompts.isPending && envId) ? <Loading label="Loading prompts…" />
          : !environment ? <EmptyState title="No environment">This workspace has no environment yet.</EmptyState>
            : prompts.isError ? <ErrorAlert error={prompts.error} title="Could not load the prompts" onRetry={() => void prompts.refetch()} />
              : items.length === 0
                ? (debounced
                  ? <EmptyState title="No prompt matches">No prompt in {environment.name} has “{debounced}” in its key or description.</EmptyState>
                  : <EmptyState title="No prompts yet">Create the first prompt of {environment.name} with “New prompt”.</EmptyState>)
                : (
                  <>
                    <Table striped highlightOnHover aria-label="Prompts" data-testid="prompts-table">
                      <Table.Thead>
                        <Table.Tr><Table.Th>Key</Table.Th><Table.Th>Type</Table.Th><Table.Th>Live version</Table.Th><Table.Th>Pending</Table.Th><Table.Th>Versions</Table.Th><Table.Th>Last change</Table.Th></Table.Tr>
                      </Table.Thead>
                      <Table.Tbody>
                        {items.map((p) => (
                          <Table.Tr key={p.id}>
                            <Table.Td>
                              <Anchor component={Link} href={`/prompts/${p.id}`} fw={500}>{p.key}</Anchor>
                              {p.description && <Text size="xs" c="dimmed">{p.description}</Text>}
                            </Table.Td>
                            <Table.Td><Badge variant="outline" color={p.type === 'chat' ? 'grape' : 'blue'}>{p.type}</Badge></Table.Td>
                            <Table.Td>{p.live_version ? `v${p.live_version.version_num}` : <Text span c="dimmed">none</Text>}</Table.Td>
                            <Table.Td>{p.pending_count > 0 ? <Badge color="yellow">{p.pending_count} pending</Badge> : <Text span c="dimmed">0</Text>}</Table.Td>
                            <Table.Td>{p.versions_count}</Table.Td>
                            <Table.Td>{formatDateTime(p.updated_at)}</Table.Td>
                          </Table.Tr>
                        ))}
                      </Table.Tbody>
                    </Table>
                    {prompts.hasNextPage && <Group><Button variant="default" loading={prompts.isFetchingNextPage} onClick={() => void prompts.fetchNextPage()}>Load more</Button></Group>}
                  </>
                )}
      {environment && <NewPromptDialog opened={creating} onClose={() => setCreating(false)} environmentId={environment.id} environmentName={environment.name} />}
    </Stack>
  );
}

function NewPromptDialog({ opened, onClose, environmentId, environmentName }: { opened: boolean; onClose: () => void; environmentId: string; environmentName: string }) {
  const queryClient = useQueryClient();
  const [, navigate] = useLocation();
  const [key, setKey] = useState('');
  const [type, setType] = useState<'text' | 'chat'>('text');
  const [content, setContent] = useState('');
  const [messages, setMessages] = useState<EditedMessage[]>(() => [withUid({ role: 'system', content: '' })]);
  const [description, setDescription] = useState('');
  const [commit, setCommit] = useState('');
  const create = useMutation({
    mutationFn: () => call(api.POST('/api/v1/environments/{env}/prompts', {
      params: { path: { env: environmentId } },
      body: {
        key: key.trim(),
        type,
        ...(type === 'text' ? { content } : { messages: messages.map(withoutUid) }),
        ...(description.trim() ? { description: description.trim() } : {}),
        ...(commit.trim() ? { commit_message: commit.trim() } : {}),
      },
    })),
    onSuccess: async (created) => {
      await queryClient.invalidateQueries({ queryKey: ['prompts', environmentId] });
      onClose();
      navigate(`/prompts/${created.prompt.id}`);
    },
  });
  return (
    // Rendered in place (inside <main>), not in a portal: the form belongs to the page it was opened from.
    <Modal opened={opened} onClose={onClose} title={`New prompt in ${environmentName}`} size="lg" withinPortal={false}>
      <form onSubmit={(e) => { e.preventDefault(); create.mutate(); }}>
        <Stack>
          <TextInput label="Prompt key" description="Letters, digits, dots, dashes and underscores, e.g. support.reply" required withAsterisk={false} value={key} onChange={(e) => setKey(e.currentTarget.value)} data-autofocus />
          <Stack gap={4}>
            <Text size="sm" fw={500} id="prompt-type-label">Type</Text>
            <SegmentedControl aria-labelledby="prompt-type-label" value={type} onChange={(v) => setType(v as 'text' | 'chat')} data={[{ value: 'text', label: 'Text' }, { value: 'chat', label: 'Chat' }]} />
          </Stack>
          {type === 'text'
            ? <Textarea label="Content" description="Use {{name}} for variables." autosize minRows={4} maxRows={16} value={content} onChange={(e) => setContent(e.currentTarget.value)} />
            : <MessagesEditor value={messages} onChange={setMessages} />}
          <TextInput label="Description" value={description} onChange={(e) => setDescription(e.currentTarget.value)} />
          <TextInput label="Commit message" value={commit} onChange={(e) => setCommit(e.currentTarget.value)} />
          {create.isError && <ErrorAlert error={create.error} title="Could not create the prompt" />}
          <FormActions onCancel={onClose} busy={create.isPending} />
        </Stack>
      </form>
    </Modal>
  );
}
