import { Title } from '@mantine/core';

export function PromptPage({ promptId }: { promptId: string }) {
  return <Title order={2}>PromptPage {promptId}</Title>;
}
