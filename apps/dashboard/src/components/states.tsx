import { Alert, Button, Center, Group, Loader, Stack, Text, Title } from '@mantine/core';
import type { UseQueryResult } from '@tanstack/react-query';
import type { ReactNode } from 'react';
import { ApiError } from '../api/client.js';
import { explainError } from '../lib/explain-error.js';

/** A spinner with words: every page shows it while its data loads (role="status" for screen readers). */
export function Loading({ label = 'Loading…' }: { label?: string }) {
  return (
    <Center py="xl" role="status" aria-live="polite">
      <Group gap="sm">
        <Loader size="sm" aria-hidden />
        <Text c="dimmed">{label}</Text>
      </Group>
    </Center>
  );
}

/** Nothing to show yet, and what to do about it. */
export function EmptyState({ title, children, action }: { title: string; children?: ReactNode; action?: ReactNode }) {
  return (
    <Stack align="center" py="xl" gap="xs" data-testid="empty-state">
      <Title order={3} size="h4">{title}</Title>
      {children && <Text c="dimmed" ta="center">{children}</Text>}
      {action}
    </Stack>
  );
}

/** An API refusal or failure, explained in words a person can act on (lib/explain-error.ts). */
export function ErrorAlert({ error, title, onRetry }: { error: unknown; title?: string; onRetry?: () => void }) {
  const explained = explainError(error);
  return (
    <Alert color="red" title={title ?? explained.title} role="alert">
      <Stack gap="xs">
        <Text size="sm">{explained.message}</Text>
        {error instanceof ApiError && error.code && <Text size="xs" c="dimmed">Code: {error.code}</Text>}
        {onRetry && <Group><Button size="xs" variant="light" onClick={onRetry}>Try again</Button></Group>}
      </Stack>
    </Alert>
  );
}

/**
 * The three states of a query in one place: loading, error (with "Try again"), then the data.
 * `<QueryState query={prompts}>{(page) => ...}</QueryState>`.
 */
export function QueryState<T>({ query, children, loadingLabel }: {
  query: UseQueryResult<T>;
  children: (data: T) => ReactNode;
  loadingLabel?: string;
}) {
  if (query.isPending) return <Loading label={loadingLabel} />;
  if (query.isError) return <ErrorAlert error={query.error} title="Could not load" onRetry={() => void query.refetch()} />;
  return <>{children(query.data)}</>;
}
