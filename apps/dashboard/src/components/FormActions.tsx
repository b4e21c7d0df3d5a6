import { Button, Group } from '@mantine/core';

/** The foot of a dialog's form: "Cancel", then the submit button (browser tests look for both names). */
export function FormActions({ onCancel, busy, submitLabel = 'Create', disabled }: {
  onCancel: () => void;
  busy: boolean;
  submitLabel?: string;
  disabled?: boolean;
}) {
  return (
    <Group justify="flex-end">
      <Button variant="default" onClick={onCancel}>Cancel</Button>
      <Button type="submit" loading={busy} disabled={disabled}>{submitLabel}</Button>
    </Group>
  );
}
