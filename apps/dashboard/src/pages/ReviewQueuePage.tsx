import { Title } from '@mantine/core';

export function ReviewQueuePage() {
  return <Title order={2}>ReviewQueuePage</Title>;
}
