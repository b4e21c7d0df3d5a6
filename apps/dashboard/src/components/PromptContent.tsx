import { Badge, Group, Paper, Stack, Text } from '@mantine/core';
import { highlightSegments } from '../lib/highlight.js';
import type { PromptMessage } from '../lib/messages.js';

/** Prompt text with its `{{variables}}` highlighted (a <mark> each, titled with the variable's name). */
export function HighlightedText({ content }: { content: string }) {
  const segments = highlightSegments(content);
  return (
    <pre className="pg-pre">
      {segments.map((s, i) => s.kind === 'variable'
        // The segment list is derived from the content and never reordered: the index is a stable key.
        ? <mark key={i} className="pg-var" title={`variable ${s.name}`}>{s.text}</mark>
        : <span key={i}>{s.text}</span>)}
      {segments.length === 0 && <Text span c="dimmed" fs="italic">(empty)</Text>}
    </pre>
  );
}

/** Chat messages, each with its role; a placeholder shows the name the application fills at serve time. */
export function MessagesView({ messages }: { messages: readonly PromptMessage[] }) {
  return (
    <Stack gap="xs" role="list" aria-label="Messages">
      {messages.map((m, i) => (
        <Paper key={i} withBorder p="xs" role="listitem">
          {m.role === 'placeholder'
            ? (
              <Group gap="xs">
                <Badge color="grape" variant="light">placeholder</Badge>
                <mark className="pg-placeholder" title={`placeholder ${m.name}`}>{m.name}</mark>
                <Text span c="dimmed" size="xs">(filled with messages at serve time)</Text>
              </Group>
            )
            : <Stack gap={4}><Badge variant="light" w="fit-content">{m.role}</Badge><HighlightedText content={m.content} /></Stack>}
        </Paper>
      ))}
    </Stack>
  );
}

/** Either kind of prompt body. */
export function PromptBody({ content, messages }: { content?: string | null; messages?: readonly PromptMessage[] | null }) {
  if (messages) return <MessagesView messages={messages} />;
  return <HighlightedText content={content ?? ''} />;
}

/** A config object: known keys and the rest, as a compact JSON block. */
export function ConfigView({ config }: { config: Record<string, unknown> | null | undefined }) {
  const entries = Object.entries(config ?? {});
  if (entries.length === 0) return <Text c="dimmed" size="sm">No model configuration.</Text>;
  return (
    <dl className="pg-config">
      {entries.map(([k, v]) => (
        <div key={k}><dt>{k}</dt><dd>{typeof v === 'string' ? v : JSON.stringify(v)}</dd></div>
      ))}
    </dl>
  );
}
