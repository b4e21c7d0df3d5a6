import { Badge, Button, Group, Modal, NumberInput, Stack, Table, Text, TextInput, Title, VisuallyHidden } from '@mantine/core';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { api, ApiError, call, type Schema } from '../../api/client.js';
import { cursorParam, useCursorPages } from '../../api/cursor-pages.js';
import { ConfirmDialog } from '../../components/ConfirmDialog.js';
import { GatedButton } from '../../components/RoleGate.js';
import { EmptyState, ErrorAlert, Loading } from '../../components/states.js';
import { useWorkspace, type Environment } from '../../session/workspace.js';
import { detailsByField } from './api-errors.js';
import { LoadMore, RequiresRole, SecretOnce, Time } from './shared.js';
import { FormActions } from '../../components/FormActions.js';

type ApiKey = Schema<'ApiKey'>;
type CreatedApiKey = Schema<'CreatedApiKey'>;

const DEFAULT_RATE_LIMIT_RPM = 600;

/** The current environment's API keys (the gateway serves with them): create, see once, revoke, served counts. */
export function ApiKeysPage() {
  const { environment, environmentsLoading, environmentsError } = useWorkspace();
  return (
    <Stack>
      <Title order={2}>API keys</Title>
      <RequiresRole needs="admin" what="API keys">
        {environmentsLoading ? <Loading label="Loading environments…" />
          : environmentsError ? <ErrorAlert error={environmentsError} title="Could not load the environments" />
            : !environment ? <EmptyState title="No environment">This workspace has no environment yet.</EmptyState>
              : <ApiKeys environment={environment} />}
      </RequiresRole>
    </Stack>
  );
}

function ApiKeys({ environment }: { environment: Environment }) {
  const queryClient = useQueryClient();
  const [creating, setCreating] = useState(false);
  const [revoking, setRevoking] = useState<ApiKey | null>(null);
  const queryKey = ['api-keys', environment.id];
  const [keys, items] = useCursorPages(queryKey, (cursor) => call(api.GET('/api/v1/environments/{env}/api-keys', {
    params: { path: { env: environment.id }, query: cursorParam(cursor) },
  })));
  const revoke = useMutation({
    mutationFn: (key: ApiKey) => call(api.DELETE('/api/v1/api-keys/{id}', { params: { path: { id: key.id } } })),
    onSuccess: async () => {
      setRevoking(null);
      await queryClient.invalidateQueries({ queryKey });
    },
  });

  return (
    <Stack>
      <Group justify="space-between">
        <Text c="dimmed">
          Keys of the <b>{environment.name}</b> environment: applications send one to the gateway to be served this environment&apos;s prompts.
        </Text>
        <GatedButton needs="admin" onClick={() => setCreating(true)}>New API key</GatedButton>
      </Group>
      {keys.isPending ? <Loading label="Loading API keys…" />
        : keys.isError ? <ErrorAlert error={keys.error} title="Could not load the API keys" onRetry={() => void keys.refetch()} />
          : items.length === 0 ? (
            <EmptyState title="No API keys yet">Create one for each application that serves prompts from {environment.name}.</EmptyState>
          ) : (
            <Table.ScrollContainer minWidth={720}>
              <Table striped highlightOnHover>
                <Table.Caption><VisuallyHidden>API keys of {environment.name}</VisuallyHidden></Table.Caption>
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th>Name</Table.Th>
                    <Table.Th>Prefix</Table.Th>
                    <Table.Th>Rate limit</Table.Th>
                    <Table.Th>Served</Table.Th>
                    <Table.Th>Last served</Table.Th>
                    <Table.Th>Created</Table.Th>
                    <Table.Th>Status</Table.Th>
                    <Table.Th><VisuallyHidden>Actions</VisuallyHidden></Table.Th>
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {items.map((key) => (
                    <Table.Tr key={key.id} data-testid="api-key-row">
                      <Table.Td>{key.name}</Table.Td>
                      <Table.Td><code>{key.prefix}…</code></Table.Td>
                      <Table.Td>{key.rate_limit_rpm.toLocaleString()} / min</Table.Td>
                      <Table.Td>{key.served_count.toLocaleString()}</Table.Td>
                      <Table.Td><Time at={key.last_served_at} empty="never" /></Table.Td>
                      <Table.Td><Time at={key.created_at} /></Table.Td>
                      <Table.Td>
                        {key.revoked_at
                          ? <Badge color="gray" variant="light" tt="none">Revoked <Time at={key.revoked_at} /></Badge>
                          : <Badge color="teal" variant="light">Active</Badge>}
                      </Table.Td>
                      <Table.Td>
                        {!key.revoked_at && (
                          <GatedButton needs="admin" size="xs" color="red" variant="light" aria-label={`Revoke ${key.name}`} onClick={() => { revoke.reset(); setRevoking(key); }}>
                            Revoke
                          </GatedButton>
                        )}
                      </Table.Td>
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
            </Table.ScrollContainer>
          )}
      <LoadMore hasMore={keys.hasNextPage} loading={keys.isFetchingNextPage} onLoad={() => void keys.fetchNextPage()} label="Load more keys" />

      <CreateApiKeyModal
        opened={creating}
        environment={environment}
        onClose={() => setCreating(false)}
        onCreated={() => void queryClient.invalidateQueries({ queryKey })}
      />
      <ConfirmDialog
        opened={revoking !== null}
        title={`Revoke the API key ${revoking?.name ?? ''}?`}
        confirmColor="red"
        busy={revoke.isPending}
        onCancel={() => setRevoking(null)}
        onConfirm={() => revoking && revoke.mutate(revoking)}
      >
        <Stack gap="xs">
          <Text>The gateway refuses this key within a second: applications using it stop being served. A revoked key cannot be restored.</Text>
          {revoke.isError && <ErrorAlert error={revoke.error} title="Could not revoke the key" />}
        </Stack>
      </ConfirmDialog>
    </Stack>
  );
}

function CreateApiKeyModal({ opened, environment, onClose, onCreated }: {
  opened: boolean;
  environment: Environment;
  onClose: () => void;
  onCreated: () => void;
}) {
  const [name, setName] = useState('');
  const [rateLimit, setRateLimit] = useState<number | string>(DEFAULT_RATE_LIMIT_RPM);
  const [created, setCreated] = useState<CreatedApiKey | null>(null);
  const [tried, setTried] = useState(false);
  const create = useMutation({
    mutationFn: (body: { name: string; rate_limit_rpm: number }) =>
      call(api.POST('/api/v1/environments/{env}/api-keys', { params: { path: { env: environment.id } }, body })),
    onSuccess: (key) => {
      setCreated(key);
      onCreated();
    },
  });
  const fieldErrors = create.error instanceof ApiError ? detailsByField(create.error.details) : {};
  const nameError = tried && name.trim() === '' ? 'A key needs a name.' : fieldErrors.name;

  const close = () => {
    setName('');
    setRateLimit(DEFAULT_RATE_LIMIT_RPM);
    setCreated(null);
    setTried(false);
    create.reset();
    onClose();
  };
  const submit = (event: FormEvent) => {
    event.preventDefault();
    setTried(true);
    if (name.trim() === '') return;
    create.mutate({ name: name.trim(), rate_limit_rpm: typeof rateLimit === 'number' ? rateLimit : DEFAULT_RATE_LIMIT_RPM });
  };

  return (
    <Modal opened={opened} onClose={close} title={created ? 'API key created' : 'New API key'} centered size="lg">
      {created ? (
        <Stack>
          <Text>
            <b>{created.name}</b> serves the <b>{environment.name}</b> environment, at most {created.rate_limit_rpm.toLocaleString()} requests a minute.
          </Text>
          <SecretOnce label="Your new API key" value={created.key} what="API key" />
          <Group justify="flex-end"><Button onClick={close}>Done</Button></Group>
        </Stack>
      ) : (
        <form onSubmit={submit} noValidate>
          <Stack>
            <TextInput
              label="Name"
              description="Which application uses it, such as checkout-service."
              required
              // No asterisk: the accessible name stays exactly the label (browser tests match it).
              withAsterisk={false}
              maxLength={200}
              value={name}
              onChange={(e) => setName(e.currentTarget.value)}
              error={nameError}
              data-autofocus
            />
            <NumberInput
              label="Rate limit (requests per minute)"
              description="The gateway answers 429 above it."
              min={1}
              max={1_000_000}
              allowDecimal={false}
              allowNegative={false}
              value={rateLimit}
              onChange={setRateLimit}
              error={fieldErrors.rate_limit_rpm}
            />
            {create.isError && !fieldErrors.name && !fieldErrors.rate_limit_rpm && <ErrorAlert error={create.error} title="Could not create the key" />}
            <FormActions onCancel={close} busy={create.isPending} />
          </Stack>
        </form>
      )}
    </Modal>
  );
}
