import { Stack, Text, Title } from '@mantine/core';

/** Placeholder owned by dash-admin: members and their roles. */
export function MembersPage() {
  return (
    <Stack>
      <Title order={2}>Members</Title>
      <Text c="dimmed">Coming soon: members and their roles.</Text>
    </Stack>
  );
}
