import {
  Alert, Badge, Button, Fieldset, Group, Paper, PasswordInput, Select, Stack, Switch, Table, Text, TextInput, Title, VisuallyHidden,
} from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { api, ApiError, call, type Schema } from '../../api/client.js';
import { ConfirmDialog } from '../../components/ConfirmDialog.js';
import { GatedButton, useRoleGate } from '../../components/RoleGate.js';
import { EmptyState, ErrorAlert, Loading } from '../../components/states.js';
import { useWorkspace, type Environment, type Workspace } from '../../session/workspace.js';
import { detailsByField } from './api-errors.js';
import {
  NO_JUDGE, PROVIDERS, settingsApiErrors, settingsPatch, settingsToDraft, type Provider, type SettingsDraft, type SettingsErrors, type SettingsPatch,
} from './environment-settings.js';
import { RequiresRole, Time } from './shared.js';

type ProviderKey = Schema<'ProviderKey'>;

const PROVIDER_NAMES: Record<Provider, string> = {
  anthropic: 'Anthropic', openai: 'OpenAI', google: 'Google', groq: 'Groq', mistral: 'Mistral',
};

/** The current environment's review, eval and test gates; the workspace's saved provider keys. */
export function SettingsPage() {
  const { environment, workspace, environmentsLoading, environmentsError } = useWorkspace();
  return (
    <Stack>
      <Title order={2}>Settings</Title>
      {environmentsLoading ? <Loading label="Loading environments…" />
        : environmentsError ? <ErrorAlert error={environmentsError} title="Could not load the environments" />
          : !environment ? <EmptyState title="No environment">This workspace has no environment yet.</EmptyState>
            : <EnvironmentSettingsForm key={environment.id} environment={environment} />}
      {workspace && (
        <RequiresRole needs="admin" what="Provider keys">
          <ProviderKeys key={workspace.id} workspace={workspace} />
        </RequiresRole>
      )}
    </Stack>
  );
}

function EnvironmentSettingsForm({ environment }: { environment: Environment }) {
  const queryClient = useQueryClient();
  const { workspace } = useWorkspace();
  const gate = useRoleGate('admin');
  const [draft, setDraft] = useState<SettingsDraft>(() => settingsToDraft(environment));
  const [errors, setErrors] = useState<SettingsErrors>({});
  const save = useMutation({
    mutationFn: (body: SettingsPatch) =>
      call(api.PATCH('/api/v1/environments/{env}', { params: { path: { env: environment.id } }, body })),
    onSuccess: async (answer) => {
      setDraft(settingsToDraft(answer.environment));
      await queryClient.invalidateQueries({ queryKey: ['environments', workspace?.id] });
    },
    onError: (error) => {
      if (error instanceof ApiError) setErrors(settingsApiErrors(error.details));
    },
  });
  const result = settingsPatch(environment, draft);
  const dirty = result.patch !== null ? Object.keys(result.patch).length > 0 : true;
  const set = <K extends keyof SettingsDraft>(key: K, value: SettingsDraft[K]) => {
    setDraft((d) => ({ ...d, [key]: value }));
    setErrors({});
    save.reset();
  };
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (!gate.allowed) return;
    const checked = settingsPatch(environment, draft);
    if (checked.errors) { setErrors(checked.errors); return; }
    if (Object.keys(checked.patch).length > 0) save.mutate(checked.patch);
  };
  const readOnly = !gate.allowed;

  return (
    <Paper withBorder p="md" component="form" onSubmit={submit} noValidate aria-label={`Settings of ${environment.name}`}>
      <Stack>
        <Group justify="space-between">
          <Title order={3} size="h4">Environment <code>{environment.name}</code></Title>
          {environment.is_protected && <Badge color="orange" variant="light">protected</Badge>}
        </Group>
        <Text size="sm" c="dimmed">These settings belong to the environment chosen in the header&apos;s Environment selector.</Text>
        {readOnly && <Alert color="gray" role="note">{gate.hint} You can read these settings but not change them.</Alert>}

        <Fieldset legend="Review">
          <Stack gap="sm">
            <Switch
              label="Protected"
              description="Quick-approve (the development shortcut) is refused here."
              checked={draft.is_protected}
              disabled={readOnly}
              onChange={(e) => set('is_protected', e.currentTarget.checked)}
            />
            <Switch
              label="Require review by someone else"
              description="The approver must be someone other than the proposer, whatever their role."
              checked={draft.require_review}
              disabled={readOnly}
              onChange={(e) => set('require_review', e.currentTarget.checked)}
            />
          </Stack>
        </Fieldset>

        <Fieldset legend="Evaluation gate">
          <Stack gap="sm">
            <Switch
              label="Require a passing evaluation"
              description="Approval needs a succeeded evaluation scoring at least the threshold (admins may override)."
              checked={draft.eval_required}
              disabled={readOnly}
              onChange={(e) => set('eval_required', e.currentTarget.checked)}
            />
            <TextInput
              label="Pass threshold"
              description="A score from 0 to 10."
              inputMode="decimal"
              w={320}
              value={draft.eval_pass_threshold}
              readOnly={readOnly}
              onChange={(e) => set('eval_pass_threshold', e.currentTarget.value)}
              error={errors.eval_pass_threshold}
            />
            <Group align="flex-start">
              <Select
                label="Judge"
                description="With a judge, the gate uses its evaluation instead of the rules score."
                w={260}
                allowDeselect={false}
                data={[{ value: NO_JUDGE, label: 'None (rules score)' }, ...PROVIDERS.map((p) => ({ value: p, label: PROVIDER_NAMES[p] }))]}
                value={draft.judgeProvider}
                readOnly={readOnly}
                onChange={(value) => value && set('judgeProvider', value as SettingsDraft['judgeProvider'])}
              />
              <TextInput
                label="Judge model"
                description="Optional: the provider's default when blank."
                w={260}
                placeholder="claude-sonnet-4-5"
                value={draft.judgeModel}
                disabled={draft.judgeProvider === NO_JUDGE}
                readOnly={readOnly}
                onChange={(e) => set('judgeModel', e.currentTarget.value)}
                error={errors['judge.model']}
              />
            </Group>
          </Stack>
        </Fieldset>

        <Fieldset legend="Test gate">
          <Stack gap="sm">
            <Switch
              label="Require passing tests"
              description="Approval needs a succeeded test run against the live version in which every case passed."
              checked={draft.tests_required}
              disabled={readOnly}
              onChange={(e) => set('tests_required', e.currentTarget.checked)}
            />
            <TextInput
              label="Maximum regressions"
              description="How many cases the judge may find worse than the live version's answer (0 to 1000)."
              inputMode="numeric"
              w={320}
              value={draft.max_regressions}
              readOnly={readOnly}
              onChange={(e) => set('max_regressions', e.currentTarget.value)}
              error={errors.max_regressions}
            />
          </Stack>
        </Fieldset>

        {errors.form && <Alert color="red" role="alert">{errors.form}</Alert>}
        {save.isError && !(save.error instanceof ApiError && save.error.code === 'validation_failed') && (
          <ErrorAlert error={save.error} title="Could not save the settings" />
        )}
        {save.isSuccess && !dirty && <Text size="sm" c="teal" role="status">Settings of {environment.name} saved.</Text>}
        <Group justify="flex-end">
          <Button variant="default" disabled={readOnly || !dirty} onClick={() => { setDraft(settingsToDraft(environment)); setErrors({}); }}>
            Discard changes
          </Button>
          <GatedButton needs="admin" type="submit" loading={save.isPending} disabled={!dirty}>Save settings</GatedButton>
        </Group>
      </Stack>
    </Paper>
  );
}

function ProviderKeys({ workspace }: { workspace: Workspace }) {
  const queryClient = useQueryClient();
  const queryKey = ['provider-keys', workspace.id];
  const [provider, setProvider] = useState<Provider>('anthropic');
  const [secret, setSecret] = useState('');
  const [tried, setTried] = useState(false);
  const [deleting, setDeleting] = useState<ProviderKey | null>(null);
  const keys = useQuery({
    queryKey,
    queryFn: () => call(api.GET('/api/v1/workspaces/{ws}/provider-keys', { params: { path: { ws: workspace.id } } })),
  });
  const save = useMutation({
    mutationFn: () => call(api.PUT('/api/v1/workspaces/{ws}/provider-keys/{provider}', {
      params: { path: { ws: workspace.id, provider } }, body: { api_key: secret.trim() },
    })),
    onSuccess: async () => {
      setSecret('');
      setTried(false);
      await queryClient.invalidateQueries({ queryKey });
    },
  });
  const remove = useMutation({
    mutationFn: (key: ProviderKey) => call(api.DELETE('/api/v1/workspaces/{ws}/provider-keys/{provider}', {
      params: { path: { ws: workspace.id, provider: key.provider } },
    })),
    onSuccess: async () => {
      setDeleting(null);
      await queryClient.invalidateQueries({ queryKey });
    },
  });
  const items = keys.data?.items ?? [];
  const fieldError = save.error instanceof ApiError ? detailsByField(save.error.details).api_key : undefined;
  const secretError = tried && secret.trim() === '' ? 'Paste the key the provider gave you.' : fieldError;
  const submit = (event: FormEvent) => {
    event.preventDefault();
    setTried(true);
    if (secret.trim() !== '') save.mutate();
  };

  return (
    <Paper withBorder p="md" component="section" aria-label="Provider keys">
      <Stack>
        <Title order={3} size="h4">Provider keys of {workspace.name}</Title>
        <Text size="sm" c="dimmed">
          Saved keys run judge evaluations and test runs when a request brings no key of its own. They are sealed at rest and never shown again: only their last four characters.
        </Text>
        {keys.isPending ? <Loading label="Loading provider keys…" />
          : keys.isError ? <ErrorAlert error={keys.error} title="Could not load the provider keys" onRetry={() => void keys.refetch()} />
            : items.length === 0 ? <Text size="sm" c="dimmed">No provider key is saved.</Text>
              : (
                <Table>
                  <Table.Thead>
                    <Table.Tr>
                      <Table.Th>Provider</Table.Th>
                      <Table.Th>Key</Table.Th>
                      <Table.Th>Saved</Table.Th>
                      <Table.Th><VisuallyHidden>Actions</VisuallyHidden></Table.Th>
                    </Table.Tr>
                  </Table.Thead>
                  <Table.Tbody>
                    {items.map((key) => (
                      <Table.Tr key={key.provider}>
                        <Table.Td>{PROVIDER_NAMES[key.provider]}</Table.Td>
                        <Table.Td><code>…{key.last4}</code></Table.Td>
                        <Table.Td><Time at={key.updated_at} /></Table.Td>
                        <Table.Td>
                          <GatedButton needs="admin" size="xs" color="red" variant="light" aria-label={`Delete the ${PROVIDER_NAMES[key.provider]} key`}
                            onClick={() => { remove.reset(); setDeleting(key); }}>
                            Delete
                          </GatedButton>
                        </Table.Td>
                      </Table.Tr>
                    ))}
                  </Table.Tbody>
                </Table>
              )}
        <form onSubmit={submit} noValidate aria-label="Save a provider key">
          <Group align="flex-start">
            <Select
              label="Provider"
              w={200}
              allowDeselect={false}
              data={PROVIDERS.map((p) => ({ value: p, label: PROVIDER_NAMES[p] }))}
              value={provider}
              onChange={(value) => value && setProvider(value as Provider)}
            />
            <PasswordInput
              label="Provider API key"
              description={items.some((k) => k.provider === provider) ? 'Replaces the saved key.' : 'Sent once over this connection, then sealed.'}
              w={360}
              autoComplete="off"
              value={secret}
              onChange={(e) => setSecret(e.currentTarget.value)}
              error={secretError}
            />
          </Group>
          {save.isError && !fieldError && <ErrorAlert error={save.error} title="Could not save the key" />}
          {save.isSuccess && <Text size="sm" c="teal" role="status">The {PROVIDER_NAMES[save.data.provider]} key ending in {save.data.last4} is saved.</Text>}
          <Group justify="flex-end" mt="sm">
            <GatedButton needs="admin" type="submit" loading={save.isPending}>Save key</GatedButton>
          </Group>
        </form>
      </Stack>
      <ConfirmDialog
        opened={deleting !== null}
        title={`Delete the ${deleting ? PROVIDER_NAMES[deleting.provider] : ''} key?`}
        confirmColor="red"
        busy={remove.isPending}
        onCancel={() => setDeleting(null)}
        onConfirm={() => deleting && remove.mutate(deleting)}
      >
        <Stack gap="xs">
          <Text>Judge evaluations and test runs with this provider then need a key typed in with each request.</Text>
          {remove.isError && <ErrorAlert error={remove.error} title="Could not delete the key" />}
        </Stack>
      </ConfirmDialog>
    </Paper>
  );
}
