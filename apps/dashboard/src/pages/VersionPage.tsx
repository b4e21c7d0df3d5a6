import { Title } from '@mantine/core';

export function VersionPage({ versionId }: { versionId: string }) {
  return <Title order={2}>VersionPage {versionId}</Title>;
}
