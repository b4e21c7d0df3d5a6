import { Select, SimpleGrid, Stack, Text, Textarea, TextInput } from '@mantine/core';
import { PROVIDERS, type ConfigForm } from '../lib/model-config.js';

/** The config's known keys as form controls (API.md: provider, model, temperature, top_p, max_tokens, stop), the rest as JSON. */
export function ConfigEditor({ value, onChange, problem }: {
  value: ConfigForm;
  onChange: (next: ConfigForm) => void;
  problem?: { field: keyof ConfigForm; problem: string } | null;
}) {
  const set = (field: keyof ConfigForm) => (v: string) => onChange({ ...value, [field]: v });
  const err = (field: keyof ConfigForm) => (problem?.field === field ? problem.problem : undefined);
  return (
    <Stack gap="xs">
      <Text fw={500}>Model configuration</Text>
      <SimpleGrid cols={3} spacing="sm">
        <Select label="Provider" clearable placeholder="none" data={[...PROVIDERS]} value={value.provider || null} onChange={(v) => set('provider')(v ?? '')} />
        <TextInput label="Model" value={value.model} onChange={(e) => set('model')(e.currentTarget.value)} error={err('model')} />
        <TextInput label="Temperature" description="0 to 2" inputMode="decimal" value={value.temperature} onChange={(e) => set('temperature')(e.currentTarget.value)} error={err('temperature')} />
        <TextInput label="Top p" description="0 to 1" inputMode="decimal" value={value.top_p} onChange={(e) => set('top_p')(e.currentTarget.value)} error={err('top_p')} />
        <TextInput label="Max tokens" description="1 to 1000000" inputMode="numeric" value={value.max_tokens} onChange={(e) => set('max_tokens')(e.currentTarget.value)} error={err('max_tokens')} />
        <Textarea label="Stop sequences" description="One a line, at most 8" autosize minRows={1} value={value.stop} onChange={(e) => set('stop')(e.currentTarget.value)} />
      </SimpleGrid>
      <Textarea
        label="Other settings (JSON)"
        description="Any other keys, as a JSON object, e.g. {&quot;response_format&quot;: {&quot;type&quot;: &quot;json_object&quot;}}"
        autosize minRows={2} maxRows={12}
        styles={{ input: { fontFamily: 'var(--mantine-font-family-monospace)' } }}
        value={value.rest}
        onChange={(e) => set('rest')(e.currentTarget.value)}
        error={err('rest')}
      />
    </Stack>
  );
}
