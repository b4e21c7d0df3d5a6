import { Stack, Text, Title } from '@mantine/core';

/** Placeholder owned by dash-admin: the audit log with filters and the chain's verify status. */
export function AuditLogPage() {
  return (
    <Stack>
      <Title order={2}>Audit log</Title>
      <Text c="dimmed">Coming soon: the audit log with filters and the chain's verify status.</Text>
    </Stack>
  );
}
