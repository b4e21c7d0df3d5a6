import { Button, Group, Modal, Stack, Text } from '@mantine/core';
import type { ReactNode } from 'react';

/** Every confirmation: a modal whose accept button is "Confirm" (browser tests look for that name). */
export function ConfirmDialog({ opened, title, children, onConfirm, onCancel, busy, confirmColor }: {
  opened: boolean;
  title: string;
  children?: ReactNode;
  onConfirm: () => void;
  onCancel: () => void;
  busy?: boolean;
  confirmColor?: string;
}) {
  return (
    <Modal opened={opened} onClose={onCancel} title={title} centered>
      <Stack>
        {typeof children === 'string' ? <Text>{children}</Text> : children}
        <Group justify="flex-end">
          <Button variant="default" onClick={onCancel}>Cancel</Button>
          <Button color={confirmColor} onClick={onConfirm} loading={busy}>Confirm</Button>
        </Group>
      </Stack>
    </Modal>
  );
}
