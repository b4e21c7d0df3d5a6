import { Alert, Anchor, Button, Card, Group, Stack, Text, Textarea, TextInput, Title } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Link, useLocation } from 'wouter';
import { configChanges } from '../../../../libs/domain/src/prompts/model-config.js';
import { api, call, type Schema } from '../api/client.js';
import { ConfigEditor } from '../components/ConfigEditor.js';
import { DiffView } from '../components/DiffView.js';
import { MessagesEditor } from '../components/MessagesEditor.js';
import { GatedButton } from '../components/RoleGate.js';
import { ErrorAlert, QueryState } from '../components/states.js';
import { configToForm, formToConfig, type ConfigForm } from '../lib/model-config.js';
import { previewDiff, withoutUid, withUid, type EditedMessage } from '../lib/messages.js';

type Prompt = Schema<'Prompt'>;

/** Propose a change: content or messages, config, commit message; preview the diff against live; save; submit for review. */
export function ProposePage({ promptId }: { promptId: string }) {
  const prompt = useQuery({
    queryKey: ['prompt', promptId],
    queryFn: () => call(api.GET('/api/v1/prompts/{id}', { params: { path: { id: promptId } } })),
  });
  return <QueryState query={prompt} loadingLabel="Loading the prompt…">{(p) => <ProposeForm prompt={p} />}</QueryState>;
}

function ProposeForm({ prompt }: { prompt: Prompt }) {
  const queryClient = useQueryClient();
  const [, navigate] = useLocation();
  const live = prompt.live_version;
  const chat = prompt.type === 'chat';
  const [content, setContent] = useState(live?.content ?? '');
  const [messages, setMessages] = useState<EditedMessage[]>(() => (live?.messages ?? [{ role: 'system', content: '' }]).map(withUid));
  const [config, setConfig] = useState<ConfigForm>(() => configToForm(live?.config));
  const [commit, setCommit] = useState('');
  const [showDiff, setShowDiff] = useState(false);
  const parsed = formToConfig(config);
  const body = chat ? { messages: messages.map(withoutUid) } : { content };

  const save = useMutation({
    mutationFn: () => {
      if (!parsed.ok) throw new Error(`Other settings ${parsed.problem}`);
      return call(api.POST('/api/v1/prompts/{id}/versions', {
        params: { path: { id: prompt.id } },
        body: { ...body, config: parsed.config, ...(commit.trim() ? { commit_message: commit.trim() } : {}) },
      }));
    },
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ['versions', prompt.id] }),
  });
  const saved = save.data?.version;
  const submit = useMutation({
    mutationFn: (id: string) => call(api.POST('/api/v1/versions/{id}/submit', { params: { path: { id } } })),
    onSuccess: async (answer) => {
      await queryClient.invalidateQueries({ queryKey: ['versions', prompt.id] });
      navigate(`/versions/${answer.version.id}`);
    },
  });

  const diff = showDiff ? previewDiff(live, body) : null;
  const changes = showDiff && parsed.ok ? configChanges(live?.config ?? {}, parsed.config) : [];

  return (
    <Stack>
      <Stack gap={4}>
        <Anchor component={Link} href={`/prompts/${prompt.id}`} size="sm">← {prompt.key}</Anchor>
        <Title order={2}>Propose a change to {prompt.key}</Title>
        <Text c="dimmed" size="sm">{live ? `Based on the live version v${live.version_num}.` : 'Nothing is live yet: this will be the first version to review.'}</Text>
      </Stack>
      <Card withBorder>
        <Stack>
          {chat
            ? <MessagesEditor value={messages} onChange={(m) => { setMessages(m); save.reset(); }} />
            : <Textarea label="Content" description="Use {{name}} for variables." autosize minRows={6} maxRows={30} value={content} onChange={(e) => { setContent(e.currentTarget.value); save.reset(); }} />}
          <ConfigEditor value={config} onChange={(c) => { setConfig(c); save.reset(); }} problem={parsed.ok ? null : parsed} />
          <TextInput label="Commit message" description="What changed and why, for the reviewer." value={commit} onChange={(e) => setCommit(e.currentTarget.value)} />
          <Group>
            <Button variant="default" onClick={() => setShowDiff(true)}>Preview diff</Button>
            <GatedButton needs="editor" onClick={() => save.mutate()} loading={save.isPending} disabled={saved !== undefined}>Propose change</GatedButton>
          </Group>
          {save.isError && <ErrorAlert error={save.error} title="Could not save the change" />}
        </Stack>
      </Card>
      {diff && (
        <Card withBorder>
          <Title order={3} size="h4" mb="xs">Diff against {live ? `the live version v${live.version_num}` : 'nothing (no live version)'}</Title>
          <Text size="xs" c="dimmed" mb="xs">Computed in the browser with the registry&apos;s own line diff, before saving.</Text>
          <DiffView lines={diff.lines} added={diff.added} removed={diff.removed} configChanges={parsed.ok ? changes : undefined} />
          {!parsed.ok && <Text size="sm" c="red">Other settings {parsed.problem}: the config diff shows once it is valid.</Text>}
        </Card>
      )}
      {saved && (
        <Alert color="green" title={`Saved as draft v${saved.version_num}`} role="status">
          <Stack gap="xs">
            <Text size="sm">A reviewer sees it once you submit it. <Anchor component={Link} href={`/versions/${saved.id}`}>Open the draft</Anchor>.</Text>
            <Group>
              <GatedButton needs="editor" onClick={() => submit.mutate(saved.id)} loading={submit.isPending}>Submit for review</GatedButton>
            </Group>
            {submit.isError && <ErrorAlert error={submit.error} title="Could not submit" />}
          </Stack>
        </Alert>
      )}
    </Stack>
  );
}
