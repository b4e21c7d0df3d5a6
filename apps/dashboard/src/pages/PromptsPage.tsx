import { Title } from '@mantine/core';

export function PromptsPage() {
  return <Title order={2}>PromptsPage</Title>;
}
