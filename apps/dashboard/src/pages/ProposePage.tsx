import { Title } from '@mantine/core';

export function ProposePage({ promptId }: { promptId: string }) {
  return <Title order={2}>ProposePage {promptId}</Title>;
}
