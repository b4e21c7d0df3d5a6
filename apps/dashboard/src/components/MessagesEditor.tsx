import { ActionIcon, Button, Group, Paper, Select, Stack, Text, Textarea, TextInput, Tooltip } from '@mantine/core';
import { moveMessage, withUid, type EditedMessage } from '../lib/messages.js';

const ROLE_OPTIONS = [
  { value: 'system', label: 'system' },
  { value: 'user', label: 'user' },
  { value: 'assistant', label: 'assistant' },
  { value: 'placeholder', label: 'placeholder (chat history)' },
];

/**
 * A chat prompt's messages: role and content each (a placeholder has a name instead), add, remove,
 * move up and down. Every control names its message by position ("Message 2 role").
 */
export function MessagesEditor({ value, onChange }: { value: EditedMessage[]; onChange: (next: EditedMessage[]) => void }) {
  const update = (i: number, next: EditedMessage) => onChange(value.map((m, k) => (k === i ? next : m)));
  return (
    <Stack gap="xs">
      <Text fw={500} size="sm" id="messages-label">Messages</Text>
      {value.length === 0 && <Text c="dimmed" size="sm">No messages yet: a chat prompt needs at least one.</Text>}
      {value.map((m, i) => {
        const n = i + 1;
        return (
          <Paper key={m.uid} withBorder p="xs" role="group" aria-label={`Message ${n}`}>
            <Stack gap="xs">
              <Group justify="space-between" align="flex-end">
                <Select
                  label={`Message ${n} role`}
                  w={240}
                  allowDeselect={false}
                  data={ROLE_OPTIONS}
                  value={m.role}
                  onChange={(role) => {
                    if (!role || role === m.role) return;
                    update(i, role === 'placeholder'
                      ? { uid: m.uid, role: 'placeholder', name: 'history' }
                      : { uid: m.uid, role: role as 'system' | 'user' | 'assistant', content: m.role === 'placeholder' ? '' : m.content });
                  }}
                />
                <Group gap={4}>
                  <Tooltip label="Move up"><ActionIcon variant="default" aria-label={`Move message ${n} up`} disabled={i === 0} onClick={() => onChange(moveMessage(value, i, -1))}>↑</ActionIcon></Tooltip>
                  <Tooltip label="Move down"><ActionIcon variant="default" aria-label={`Move message ${n} down`} disabled={i === value.length - 1} onClick={() => onChange(moveMessage(value, i, 1))}>↓</ActionIcon></Tooltip>
                  <Tooltip label="Remove"><ActionIcon variant="default" color="red" aria-label={`Remove message ${n}`} onClick={() => onChange(value.filter((_, k) => k !== i))}>✕</ActionIcon></Tooltip>
                </Group>
              </Group>
              {m.role === 'placeholder'
                ? <TextInput label={`Message ${n} placeholder name`} description="Letters, digits and _; the application fills it with messages at serve time." value={m.name} onChange={(e) => update(i, { ...m, name: e.currentTarget.value })} />
                : <Textarea label={`Message ${n} content`} autosize minRows={2} maxRows={16} value={m.content} onChange={(e) => update(i, { ...m, content: e.currentTarget.value })} />}
            </Stack>
          </Paper>
        );
      })}
      <Group>
        <Button variant="light" size="xs" onClick={() => onChange([...value, withUid({ role: value.length === 0 ? 'system' : 'user', content: '' })])}>Add message</Button>
      </Group>
    </Stack>
  );
}
