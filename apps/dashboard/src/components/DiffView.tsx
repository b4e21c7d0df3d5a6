import { Badge, Group, SegmentedControl, Stack, Table, Text } from '@mantine/core';
import { useState } from 'react';
import { sideBySide, type DiffLine } from '../lib/side-by-side.js';

export interface ConfigChange {
  path: string;
  before: unknown;
  after: unknown;
}

const show = (v: unknown) => (v === null || v === undefined ? '—' : typeof v === 'string' ? v : JSON.stringify(v));

/**
 * A diff from the API's lines (or the same lines computed in the browser): inline or side by side,
 * plus the config changes. Added lines green, removed red; the op column is hidden from layout
 * readers but spoken ("added", "removed").
 */
export function DiffView({ lines, configChanges, added, removed, baseLabel }: {
  lines: readonly DiffLine[];
  configChanges?: readonly ConfigChange[];
  added?: number;
  removed?: number;
  baseLabel?: string;
}) {
  const [mode, setMode] = useState<'inline' | 'side'>('inline');
  const changed = lines.some((l) => l.op !== ' ');
  return (
    <Stack gap="xs" data-testid="diff">
      <Group justify="space-between">
        <Group gap="xs">
          <Badge color="green" variant="light">+{added ?? lines.filter((l) => l.op === '+').length}</Badge>
          <Badge color="red" variant="light">−{removed ?? lines.filter((l) => l.op === '-').length}</Badge>
          {baseLabel && <Text size="sm" c="dimmed">against {baseLabel}</Text>}
        </Group>
        <SegmentedControl
          size="xs"
          aria-label="Diff layout"
          value={mode}
          onChange={(v) => setMode(v as 'inline' | 'side')}
          data={[{ value: 'inline', label: 'Inline' }, { value: 'side', label: 'Side by side' }]}
        />
      </Group>
      {!changed && <Text size="sm" c="dimmed">The content is unchanged.</Text>}
      {lines.length > 0 && (mode === 'inline' ? <InlineDiff lines={lines} /> : <SideBySideDiff lines={lines} />)}
      {configChanges && configChanges.length > 0 && (
        <Table aria-label="Config changes" withTableBorder>
          <Table.Thead><Table.Tr><Table.Th>Config key</Table.Th><Table.Th>Before</Table.Th><Table.Th>After</Table.Th></Table.Tr></Table.Thead>
          <Table.Tbody>
            {configChanges.map((c) => (
              <Table.Tr key={c.path}>
                <Table.Td><code>{c.path}</code></Table.Td>
                <Table.Td className="pg-del-cell"><code>{show(c.before)}</code></Table.Td>
                <Table.Td className="pg-add-cell"><code>{show(c.after)}</code></Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      )}
      {configChanges && configChanges.length === 0 && <Text size="sm" c="dimmed">The config is unchanged.</Text>}
    </Stack>
  );
}

const OP_WORD = { '+': 'added', '-': 'removed', ' ': 'unchanged' } as const;

function InlineDiff({ lines }: { lines: readonly DiffLine[] }) {
  return (
    <table className="pg-diff" aria-label="Inline diff">
      <tbody>
        {lines.map((l, i) => (
          // Diff lines are positional and never reordered: the index is their identity.
          <tr key={i} className={l.op === '+' ? 'pg-add' : l.op === '-' ? 'pg-del' : undefined}>
            <td className="pg-op" aria-label={OP_WORD[l.op]}>{l.op === ' ' ? '' : l.op === '-' ? '−' : '+'}</td>
            <td>{l.text}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function SideBySideDiff({ lines }: { lines: readonly DiffLine[] }) {
  const rows = sideBySide(lines);
  return (
    <table className="pg-diff pg-diff-side" aria-label="Side-by-side diff">
      <thead><tr><th className="pg-op">#</th><th>Before</th><th className="pg-op">#</th><th>After</th></tr></thead>
      <tbody>
        {rows.map((r, i) => (
          <tr key={i}>
            <td className="pg-op">{r.left?.num ?? ''}</td>
            <td className={r.left ? (r.left.changed ? 'pg-del' : undefined) : 'pg-empty'}>{r.left?.text ?? ''}</td>
            <td className="pg-op">{r.right?.num ?? ''}</td>
            <td className={r.right ? (r.right.changed ? 'pg-add' : undefined) : 'pg-empty'}>{r.right?.text ?? ''}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
