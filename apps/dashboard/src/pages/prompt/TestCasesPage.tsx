import { Anchor, Stack, Text, Title } from '@mantine/core';
import { Link } from 'wouter';

/** Placeholder owned by dash-admin: a prompt's test cases (list, create, edit, delete). */
export function TestCasesPage({ promptId }: { promptId: string }) {
  return (
    <Stack>
      <Anchor component={Link} href={`/prompts/${promptId}`}>Back to the prompt</Anchor>
      <Title order={2}>Test cases</Title>
      <Text c="dimmed">Coming soon: this prompt&apos;s test cases.</Text>
    </Stack>
  );
}
