import { Stack, Text, Title } from '@mantine/core';

/** Placeholder owned by dash-admin: webhook subscriptions, the secret shown once, the delivery log. */
export function WebhooksPage() {
  return (
    <Stack>
      <Title order={2}>Webhooks</Title>
      <Text c="dimmed">Coming soon: webhook subscriptions, the secret shown once, the delivery log.</Text>
    </Stack>
  );
}
