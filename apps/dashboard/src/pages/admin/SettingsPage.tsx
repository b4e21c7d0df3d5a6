import { Stack, Text, Title } from '@mantine/core';

/** Placeholder owned by dash-admin: the environment's review, eval and test gates. */
export function SettingsPage() {
  return (
    <Stack>
      <Title order={2}>Settings</Title>
      <Text c="dimmed">Coming soon: the environment's review, eval and test gates.</Text>
    </Stack>
  );
}
