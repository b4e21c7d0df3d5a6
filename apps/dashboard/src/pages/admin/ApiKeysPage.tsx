import { Stack, Text, Title } from '@mantine/core';

/** Placeholder owned by dash-admin: the environment's API keys: create (key shown once, Copy), revoke, served counts. */
export function ApiKeysPage() {
  return (
    <Stack>
      <Title order={2}>API keys</Title>
      <Text c="dimmed">Coming soon: the environment's API keys: create (key shown once, Copy), revoke, served counts.</Text>
    </Stack>
  );
}
