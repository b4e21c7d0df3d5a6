import { Alert, Autocomplete, Button, Code, Group, Paper, Stack, Table, Text, TextInput, Title, VisuallyHidden } from '@mantine/core';
import { useMutation } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { api, ApiError, call, type Schema } from '../../api/client.js';
import { cursorParam, useCursorPages } from '../../api/cursor-pages.js';
import { GatedButton } from '../../components/RoleGate.js';
import { EmptyState, ErrorAlert, Loading } from '../../components/states.js';
import { useWorkspace, type Workspace } from '../../session/workspace.js';
import { detailsByField } from './api-errors.js';
import {
  auditQuery, describeVerdict, EMPTY_AUDIT_FILTERS, KNOWN_AUDIT_ACTIONS, type AuditFilterErrors, type AuditFilters, type AuditQuery,
} from './audit-filters.js';
import { LoadMore, Time } from './shared.js';

type AuditEntry = Schema<'AuditEntry'>;
type AuditVerdict = Schema<'AuditVerdict'>;

/** The workspace's hash-chained audit log: filters, newest first, paged; the chain's check. */
export function AuditLogPage() {
  const { workspace } = useWorkspace();
  return (
    <Stack>
      <Title order={2}>Audit log</Title>
      {workspace ? <AuditLog key={workspace.id} workspace={workspace} /> : <Loading />}
    </Stack>
  );
}

/** API filter names, for the API's validation details. */
const FILTER_FIELDS: Record<string, keyof AuditFilters> = { action: 'action', resource_id: 'resourceId', actor: 'actor', from: 'from', to: 'to' };

function AuditLog({ workspace }: { workspace: Workspace }) {
  const [filters, setFilters] = useState<AuditFilters>(EMPTY_AUDIT_FILTERS);
  const [errors, setErrors] = useState<AuditFilterErrors>({});
  const [query, setQuery] = useState<AuditQuery>({});
  const [entries, items] = useCursorPages(['audit', workspace.id, query], (cursor) => call(api.GET('/api/v1/workspaces/{ws}/audit', {
    params: { path: { ws: workspace.id }, query: { ...query, ...cursorParam(cursor) } },
  })));
  const filtered = Object.keys(query).length > 0;
  const apiFieldErrors: AuditFilterErrors = {};
  if (entries.error instanceof ApiError && entries.error.code === 'validation_failed') {
    for (const [field, message] of Object.entries(detailsByField(entries.error.details))) {
      const key = FILTER_FIELDS[field];
      if (key) apiFieldErrors[key] = message;
    }
  }
  const shownErrors = { ...apiFieldErrors, ...errors };

  const change = (key: keyof AuditFilters, value: string) => {
    setFilters((f) => ({ ...f, [key]: value }));
    setErrors((e) => ({ ...e, [key]: undefined }));
  };
  const apply = (event: FormEvent) => {
    event.preventDefault();
    const result = auditQuery(filters);
    if (result.errors) { setErrors(result.errors); return; }
    setErrors({});
    setQuery(result.query);
  };
  const clear = () => {
    setFilters(EMPTY_AUDIT_FILTERS);
    setErrors({});
    setQuery({});
  };

  return (
    <Stack>
      <VerifyChain workspace={workspace} />
      <Paper withBorder p="md" component="form" onSubmit={apply} noValidate aria-label="Filter the audit log">
        <Stack gap="sm">
          <Group align="flex-start" gap="sm">
            <Autocomplete
              label="Action"
              placeholder="version.approved"
              w={220}
              data={[...KNOWN_AUDIT_ACTIONS]}
              value={filters.action}
              onChange={(value) => change('action', value)}
              error={shownErrors.action}
            />
            <TextInput
              label="Resource id"
              description="The id of what changed"
              w={300}
              value={filters.resourceId}
              onChange={(e) => change('resourceId', e.currentTarget.value)}
              error={shownErrors.resourceId}
            />
            <TextInput
              label="Actor email"
              type="email"
              w={240}
              value={filters.actor}
              onChange={(e) => change('actor', e.currentTarget.value)}
              error={shownErrors.actor}
            />
            <TextInput
              label="From"
              description="Inclusive, your local time"
              type="datetime-local"
              w={220}
              value={filters.from}
              onChange={(e) => change('from', e.currentTarget.value)}
              error={shownErrors.from}
            />
            <TextInput
              label="To"
              description="Exclusive, your local time"
              type="datetime-local"
              w={220}
              value={filters.to}
              onChange={(e) => change('to', e.currentTarget.value)}
              error={shownErrors.to}
            />
          </Group>
          <Group gap="sm">
            <Button type="submit">Apply filters</Button>
            <Button variant="default" onClick={clear} disabled={!filtered && filters === EMPTY_AUDIT_FILTERS}>Clear filters</Button>
          </Group>
        </Stack>
      </Paper>

      {entries.isPending ? <Loading label="Loading the audit log…" />
        : entries.isError && Object.keys(apiFieldErrors).length === 0
          ? <ErrorAlert error={entries.error} title="Could not load the audit log" onRetry={() => void entries.refetch()} />
          : items.length === 0 ? (
            <EmptyState title={filtered ? 'No entry matches these filters' : 'No entries yet'}>
              {filtered ? 'Try fewer filters or a wider time range.' : 'Every change in this workspace is recorded here.'}
            </EmptyState>
          ) : (
            <Table.ScrollContainer minWidth={860}>
              <Table striped>
                <Table.Caption><VisuallyHidden>Audit entries of {workspace.name}, newest first</VisuallyHidden></Table.Caption>
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th>Seq</Table.Th>
                    <Table.Th>Time</Table.Th>
                    <Table.Th>Action</Table.Th>
                    <Table.Th>Resource</Table.Th>
                    <Table.Th>Actor</Table.Th>
                    <Table.Th>Details</Table.Th>
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {items.map((entry) => <AuditRow key={entry.seq} entry={entry} onFilter={(key, value) => {
                    const next = { ...filters, [key]: value };
                    setFilters(next);
                    const result = auditQuery(next);
                    if (result.query) setQuery(result.query);
                  }} />)}
                </Table.Tbody>
              </Table>
            </Table.ScrollContainer>
          )}
      <LoadMore hasMore={entries.hasNextPage} loading={entries.isFetchingNextPage} onLoad={() => void entries.fetchNextPage()} label="Load older entries" />
    </Stack>
  );
}

function AuditRow({ entry, onFilter }: { entry: AuditEntry; onFilter: (key: keyof AuditFilters, value: string) => void }) {
  const extra = Object.keys(entry.extra).length > 0 ? JSON.stringify(entry.extra) : '';
  return (
    <Table.Tr data-testid="audit-row">
      <Table.Td>{entry.seq}</Table.Td>
      <Table.Td><Time at={entry.created_at} /></Table.Td>
      <Table.Td>
        <Button variant="subtle" size="compact-xs" aria-label={`Show only ${entry.action}`} onClick={() => onFilter('action', entry.action)}>
          <code>{entry.action}</code>
        </Button>
      </Table.Td>
      <Table.Td>
        <Text size="sm">{entry.resource_type}</Text>
        {entry.resource_id && (
          <Button variant="subtle" size="compact-xs" aria-label={`Show only entries of ${entry.resource_type} ${entry.resource_id}`}
            onClick={() => onFilter('resourceId', entry.resource_id ?? '')}>
            <Text span size="xs" ff="monospace">{entry.resource_id}</Text>
          </Button>
        )}
      </Table.Td>
      <Table.Td>{entry.actor_email ?? <Text span c="dimmed">system</Text>}</Table.Td>
      <Table.Td>
        {extra && <Text size="xs" ff="monospace" style={{ wordBreak: 'break-all' }} lineClamp={3} title={extra}>{extra}</Text>}
      </Table.Td>
    </Table.Tr>
  );
}

/** "Verify chain": the server recomputes the workspace's hash chain (admin). */
function VerifyChain({ workspace }: { workspace: Workspace }) {
  const verify = useMutation({
    mutationFn: () => call(api.GET('/api/v1/workspaces/{ws}/audit/verify', { params: { path: { ws: workspace.id } } })),
  });
  const verdict: AuditVerdict | undefined = verify.data;
  return (
    <Stack gap="xs">
      <Group gap="sm">
        <GatedButton needs="admin" variant="light" onClick={() => verify.mutate()} loading={verify.isPending}>Verify chain</GatedButton>
        <Text size="sm" c="dimmed">Recomputes every entry&apos;s hash: any entry changed or removed breaks the chain.</Text>
      </Group>
      <div aria-live="polite">
        {verify.isError && <ErrorAlert error={verify.error} title="Could not verify the chain" />}
        {verdict && (verdict.ok ? (
          <Alert color="teal" title="Chain verified" data-testid="audit-verdict">
            <Stack gap={4}>
              <Text size="sm">{describeVerdict(verdict)}</Text>
              <Text size="sm">Head hash: <Code style={{ wordBreak: 'break-all' }}>{verdict.head_hash}</Code></Text>
            </Stack>
          </Alert>
        ) : (
          <Alert color="red" title="Chain broken" data-testid="audit-verdict">
            <Text size="sm">{describeVerdict(verdict)} {verdict.entries_checked} entries were checked.</Text>
          </Alert>
        ))}
      </div>
    </Stack>
  );
}
