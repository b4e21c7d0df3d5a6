import { Alert, Button, Code, Group, Stack, Text } from '@mantine/core';
import { useId, useState, type ReactNode } from 'react';
import { needsRoleText, type Role } from '../../lib/roles.js';
import { useWorkspace } from '../../session/workspace.js';
import { COPY_TEXT, copyText, type CopyOutcome } from './clipboard.js';

/** A timestamp of the API in the reader's locale, machine-readable for assistive tools. */
export function Time({ at, empty = '—' }: { at: string | null | undefined; empty?: string }) {
  if (!at) return <>{empty}</>;
  const date = new Date(at);
  return <time dateTime={at} title={at}>{Number.isNaN(date.getTime()) ? at : date.toLocaleString()}</time>;
}

/**
 * A secret the API shows once (an API key, a webhook secret): the value, a "Copy" button that
 * says whether the browser let it copy, and the warning that it will not be shown again.
 */
export function SecretOnce({ label, value, what }: { label: string; value: string; what: string }) {
  const [outcome, setOutcome] = useState<CopyOutcome | null>(null);
  const labelId = useId();
  return (
    <Stack gap="sm" role="group" aria-labelledby={labelId}>
      <Alert color="yellow" title={`Copy the ${what} now`}>
        You will not see it again: only its hash is kept. If you lose it, create a new one.
      </Alert>
      <Text size="sm" fw={500} id={labelId}>{label}</Text>
      <Code block data-testid="secret-once" style={{ wordBreak: 'break-all', whiteSpace: 'pre-wrap' }}>
        {value}
      </Code>
      <Group gap="sm">
        <Button
          variant="light"
          onClick={() => void copyText(globalThis.navigator?.clipboard, value).then(setOutcome)}
        >
          Copy
        </Button>
        <Text size="sm" role="status" c={outcome === 'copied' ? 'teal' : outcome ? 'red' : undefined}>
          {outcome ? COPY_TEXT[outcome] : ''}
        </Text>
      </Group>
    </Stack>
  );
}

/** "Load more" under a paged list (the API's `next_cursor`). */
export function LoadMore({ hasMore, loading, onLoad, label = 'Load more' }: {
  hasMore: boolean;
  loading: boolean;
  onLoad: () => void;
  label?: string;
}) {
  if (!hasMore) return null;
  return (
    <Group justify="center">
      <Button variant="default" onClick={onLoad} loading={loading}>{label}</Button>
    </Group>
  );
}

/**
 * A page only some roles may read (the API answers 403 below it): for the others, what role it
 * needs instead of a request that is refused.
 */
export function RequiresRole({ needs, what, children }: { needs: Role; what: string; children: ReactNode }) {
  const { can, role } = useWorkspace();
  if (role === null || can(needs)) return <>{children}</>;
  return (
    <Alert color="gray" title={`${what} need the ${needs} role`} role="note">
      {needsRoleText(needs, role)} Ask an admin of this workspace if you need access.
    </Alert>
  );
}
