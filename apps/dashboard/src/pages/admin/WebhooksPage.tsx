import {
  Badge, Button, Checkbox, Group, Modal, Stack, Table, Text, TextInput, Title, VisuallyHidden,
} from '@mantine/core';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { api, ApiError, call, type Schema } from '../../api/client.js';
import { cursorParam, useCursorPages } from '../../api/cursor-pages.js';
import { ConfirmDialog } from '../../components/ConfirmDialog.js';
import { GatedButton } from '../../components/RoleGate.js';
import { EmptyState, ErrorAlert, Loading } from '../../components/states.js';
import { useWorkspace, type Workspace } from '../../session/workspace.js';
import { detailsByField } from './api-errors.js';
import { LoadMore, RequiresRole, SecretOnce, Time } from './shared.js';
import { WEBHOOK_EVENT_TEXT, WEBHOOK_EVENTS, type WebhookEvent } from './webhook-events.js';
import { FormActions } from '../../components/FormActions.js';

type Webhook = Schema<'Webhook'>;
type CreatedWebhook = Schema<'CreatedWebhook'>;
type Delivery = Schema<'Delivery'>;

/** The workspace's webhooks: subscribe (secret shown once), delete, and each one's delivery log. */
export function WebhooksPage() {
  const { workspace } = useWorkspace();
  return (
    <Stack>
      <Title order={2}>Webhooks</Title>
      <RequiresRole needs="admin" what="Webhooks">
        {workspace ? <Webhooks workspace={workspace} /> : <Loading />}
      </RequiresRole>
    </Stack>
  );
}

const webhookTitle = (hook: { name?: string | null; url: string }) => hook.name || hook.url;

function Webhooks({ workspace }: { workspace: Workspace }) {
  const queryClient = useQueryClient();
  const [creating, setCreating] = useState(false);
  const [deleting, setDeleting] = useState<Webhook | null>(null);
  const [open, setOpen] = useState<Webhook | null>(null);
  const queryKey = ['webhooks', workspace.id];
  const [hooks, items] = useCursorPages(queryKey, (cursor) => call(api.GET('/api/v1/workspaces/{ws}/webhooks', {
    params: { path: { ws: workspace.id }, query: cursorParam(cursor) },
  })));
  const remove = useMutation({
    mutationFn: (hook: Webhook) => call(api.DELETE('/api/v1/webhooks/{id}', { params: { path: { id: hook.id } } })),
    onSuccess: async (_, hook) => {
      setDeleting(null);
      if (open?.id === hook.id) setOpen(null);
      await queryClient.invalidateQueries({ queryKey });
    },
  });

  return (
    <Stack>
      <Group justify="space-between">
        <Text c="dimmed">
          Promptgate posts signed events (Standard Webhooks) to these URLs when versions are reviewed and evaluations or test runs finish.
        </Text>
        <GatedButton needs="admin" onClick={() => setCreating(true)}>New webhook</GatedButton>
      </Group>
      {hooks.isPending ? <Loading label="Loading webhooks…" />
        : hooks.isError ? <ErrorAlert error={hooks.error} title="Could not load the webhooks" onRetry={() => void hooks.refetch()} />
          : items.length === 0 ? (
            <EmptyState title="No webhooks yet">Subscribe a URL (your CI, a chat bot) to hear about approvals, rollbacks and test runs.</EmptyState>
          ) : (
            <Table.ScrollContainer minWidth={720}>
              <Table striped>
                <Table.Caption><VisuallyHidden>Webhooks of {workspace.name}</VisuallyHidden></Table.Caption>
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th>Name</Table.Th>
                    <Table.Th>URL</Table.Th>
                    <Table.Th>Events</Table.Th>
                    <Table.Th>Created</Table.Th>
                    <Table.Th>Status</Table.Th>
                    <Table.Th><VisuallyHidden>Actions</VisuallyHidden></Table.Th>
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {items.map((hook) => (
                    <Table.Tr key={hook.id} data-testid="webhook-row">
                      <Table.Td>{hook.name ?? <Text span c="dimmed">(no name)</Text>}</Table.Td>
                      <Table.Td style={{ wordBreak: 'break-all' }}>{hook.url}</Table.Td>
                      <Table.Td>
                        <Group gap={4}>{hook.events.map((e) => <Badge key={e} variant="outline" size="sm" tt="none">{e}</Badge>)}</Group>
                      </Table.Td>
                      <Table.Td><Time at={hook.created_at} /></Table.Td>
                      <Table.Td>
                        {hook.disabled_at
                          ? <Badge color="gray" variant="light" title={hook.disabled_reason ?? undefined}>Disabled</Badge>
                          : <Badge color="teal" variant="light">Active</Badge>}
                      </Table.Td>
                      <Table.Td>
                        <Group gap="xs" wrap="nowrap">
                          <Button
                            size="xs"
                            variant={open?.id === hook.id ? 'filled' : 'light'}
                            aria-label={`Deliveries of ${webhookTitle(hook)}`}
                            aria-pressed={open?.id === hook.id}
                            onClick={() => setOpen(open?.id === hook.id ? null : hook)}
                          >
                            Deliveries
                          </Button>
                          <GatedButton
                            needs="admin"
                            size="xs"
                            color="red"
                            variant="light"
                            aria-label={`Delete ${webhookTitle(hook)}`}
                            onClick={() => { remove.reset(); setDeleting(hook); }}
                          >
                            Delete
                          </GatedButton>
                        </Group>
                      </Table.Td>
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
            </Table.ScrollContainer>
          )}
      <LoadMore hasMore={hooks.hasNextPage} loading={hooks.isFetchingNextPage} onLoad={() => void hooks.fetchNextPage()} label="Load more webhooks" />
      {open && <Deliveries hook={open} />}

      <CreateWebhookModal
        opened={creating}
        workspace={workspace}
        onClose={() => setCreating(false)}
        onCreated={() => void queryClient.invalidateQueries({ queryKey })}
      />
      <ConfirmDialog
        opened={deleting !== null}
        title={`Delete the webhook ${deleting ? webhookTitle(deleting) : ''}?`}
        confirmColor="red"
        busy={remove.isPending}
        onCancel={() => setDeleting(null)}
        onConfirm={() => deleting && remove.mutate(deleting)}
      >
        <Stack gap="xs">
          <Text>No more events are sent to {deleting?.url}, retries included. Its delivery log goes with it.</Text>
          {remove.isError && <ErrorAlert error={remove.error} title="Could not delete the webhook" />}
        </Stack>
      </ConfirmDialog>
    </Stack>
  );
}

const DELIVERY_COLOR: Record<Delivery['status'], string> = { pending: 'yellow', succeeded: 'teal', failed: 'red' };

/** One webhook's deliveries, newest first: status, attempts, the receiver's answer, when. */
function Deliveries({ hook }: { hook: Webhook }) {
  const [deliveries, items] = useCursorPages(['webhook-deliveries', hook.id], (cursor) => call(api.GET('/api/v1/webhooks/{id}/deliveries', {
    params: { path: { id: hook.id }, query: cursorParam(cursor) },
  })));
  return (
    <Stack component="section" aria-label={`Deliveries of ${webhookTitle(hook)}`}>
      <Group justify="space-between">
        <Title order={3} size="h4">Deliveries of {webhookTitle(hook)}</Title>
        <Button size="xs" variant="default" onClick={() => void deliveries.refetch()} loading={deliveries.isRefetching}>Refresh</Button>
      </Group>
      {deliveries.isPending ? <Loading label="Loading deliveries…" />
        : deliveries.isError ? <ErrorAlert error={deliveries.error} title="Could not load the deliveries" onRetry={() => void deliveries.refetch()} />
          : items.length === 0 ? (
            <EmptyState title="No deliveries yet">Events this webhook subscribes to are listed here once they happen.</EmptyState>
          ) : (
            <Table.ScrollContainer minWidth={720}>
              <Table striped>
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th>Event</Table.Th>
                    <Table.Th>Status</Table.Th>
                    <Table.Th>Attempts</Table.Th>
                    <Table.Th>Response</Table.Th>
                    <Table.Th>Created</Table.Th>
                    <Table.Th>Next attempt</Table.Th>
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {items.map((d) => (
                    <Table.Tr key={d.id} data-testid="delivery-row">
                      <Table.Td><code>{d.event}</code></Table.Td>
                      <Table.Td><Badge color={DELIVERY_COLOR[d.status]} variant="light">{d.status}</Badge></Table.Td>
                      <Table.Td>{d.attempts}</Table.Td>
                      <Table.Td>
                        {d.response_status ?? <Text span c="dimmed">no answer</Text>}
                        {d.last_error && <Text size="xs" c="dimmed">{d.last_error}</Text>}
                      </Table.Td>
                      <Table.Td><Time at={d.created_at} /></Table.Td>
                      <Table.Td><Time at={d.next_attempt_at} /></Table.Td>
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
            </Table.ScrollContainer>
          )}
      <LoadMore hasMore={deliveries.hasNextPage} loading={deliveries.isFetchingNextPage} onLoad={() => void deliveries.fetchNextPage()} label="Load more deliveries" />
    </Stack>
  );
}

function CreateWebhookModal({ opened, workspace, onClose, onCreated }: {
  opened: boolean;
  workspace: Workspace;
  onClose: () => void;
  onCreated: () => void;
}) {
  const [name, setName] = useState('');
  const [url, setUrl] = useState('');
  const [events, setEvents] = useState<WebhookEvent[]>(['version.approved']);
  const [tried, setTried] = useState(false);
  const [created, setCreated] = useState<CreatedWebhook | null>(null);
  const create = useMutation({
    mutationFn: (body: { name?: string; url: string; events: WebhookEvent[] }) =>
      call(api.POST('/api/v1/workspaces/{ws}/webhooks', { params: { path: { ws: workspace.id } }, body })),
    onSuccess: (hook) => {
      setCreated(hook);
      onCreated();
    },
  });
  const apiErrors = create.error instanceof ApiError ? detailsByField(create.error.details) : {};
  const urlRefused = create.error instanceof ApiError && create.error.code === 'url_not_allowed' ? create.error.message : undefined;
  const urlError = tried && url.trim() === '' ? 'A webhook needs the URL to post to.' : urlRefused ?? apiErrors.url;
  const eventsError = tried && events.length === 0 ? 'Choose at least one event.' : apiErrors.events;
  const otherError = create.isError && !urlRefused && Object.keys(apiErrors).length === 0;

  const close = () => {
    setName('');
    setUrl('');
    setEvents(['version.approved']);
    setTried(false);
    setCreated(null);
    create.reset();
    onClose();
  };
  const submit = (event: FormEvent) => {
    event.preventDefault();
    setTried(true);
    if (url.trim() === '' || events.length === 0) return;
    create.mutate({ ...(name.trim() ? { name: name.trim() } : {}), url: url.trim(), events });
  };

  return (
    <Modal opened={opened} onClose={close} title={created ? 'Webhook created' : 'New webhook'} centered size="lg">
      {created ? (
        <Stack>
          <Text>Deliveries to <b style={{ wordBreak: 'break-all' }}>{created.url}</b> are signed with this secret: check each one with it (Standard Webhooks).</Text>
          <SecretOnce label="Signing secret" value={created.secret} what="signing secret" />
          <Group justify="flex-end"><Button onClick={close}>Done</Button></Group>
        </Stack>
      ) : (
        <form onSubmit={submit} noValidate>
          <Stack>
            <TextInput
              label="Name"
              description="Optional: what the subscription is for, such as CI deploys."
              maxLength={200}
              value={name}
              onChange={(e) => setName(e.currentTarget.value)}
              error={apiErrors.name}
              data-autofocus
            />
            <TextInput
              label="URL"
              description="An https:// address the registry posts events to."
              required
              type="url"
              maxLength={2048}
              placeholder="https://ci.example.com/hooks/promptgate"
              value={url}
              onChange={(e) => setUrl(e.currentTarget.value)}
              error={urlError}
            />
            <Checkbox.Group
              label="Events"
              description="What this webhook is told about."
              value={events}
              onChange={(value) => setEvents(value as WebhookEvent[])}
              error={eventsError}
              withAsterisk
            >
              <Stack gap={6} mt="xs">
                {WEBHOOK_EVENTS.map((e) => (
                  <Checkbox key={e} value={e} label={<><code>{e}</code>: {WEBHOOK_EVENT_TEXT[e]}</>} />
                ))}
              </Stack>
            </Checkbox.Group>
            {otherError && <ErrorAlert error={create.error} title="Could not create the webhook" />}
            <FormActions onCancel={close} busy={create.isPending} />
          </Stack>
        </form>
      )}
    </Modal>
  );
}
