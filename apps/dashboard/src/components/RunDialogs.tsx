import { Modal, PasswordInput, SegmentedControl, Select, Stack, Text, TextInput } from '@mantine/core';
import { useMutation } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { api, call } from '../api/client.js';
import { PROVIDERS, type Provider } from '../lib/model-config.js';
import { ErrorAlert } from './states.js';
import { FormActions } from './FormActions.js';

const PROVIDER_OPTIONS = PROVIDERS.map((p) => ({ value: p, label: p }));

/**
 * The provider key typed for one run: held in this dialog's state only, sent with that one request,
 * and cleared when the dialog closes (never stored by the page).
 */
function KeyField({ value, onChange }: { value: string; onChange: (v: string) => void }) {
  return (
    <PasswordInput
      label="Key"
      description="The provider's API key for this run only: sent with this one request, never kept. Leave empty to use the workspace's saved key."
      autoComplete="off"
      value={value}
      onChange={(e) => onChange(e.currentTarget.value)}
    />
  );
}

/** "Run evaluation": rules, or a judge with provider, model and key. */
export function RunEvaluationDialog({ versionId, opened, onClose, onQueued }: { versionId: string; opened: boolean; onClose: () => void; onQueued: () => void }) {
  const [mode, setMode] = useState<'rules' | 'judge'>('rules');
  const [provider, setProvider] = useState<Provider | null>(null);
  const [model, setModel] = useState('');
  const [key, setKey] = useState('');
  const close = () => { setKey(''); run.reset(); onClose(); };
  const run = useMutation({
    mutationFn: () => call(api.POST('/api/v1/versions/{id}/evals', {
      params: { path: { id: versionId } },
      body: mode === 'rules' ? { mode } : { mode, provider: provider!, ...(model.trim() ? { model: model.trim() } : {}), ...(key ? { api_key: key } : {}) },
    })),
    onSuccess: () => { onQueued(); close(); },
  });
  const submit = (e: FormEvent) => { e.preventDefault(); run.mutate(); };
  return (
    <Modal opened={opened} onClose={close} title="Run evaluation">
      <form onSubmit={submit}>
        <Stack>
          <Stack gap={4}>
            <Text size="sm" fw={500} id="eval-mode-label">Evaluation</Text>
            <SegmentedControl aria-labelledby="eval-mode-label" value={mode} onChange={(v) => setMode(v as 'rules' | 'judge')}
              data={[{ value: 'rules', label: 'Rules (eight dimensions)' }, { value: 'judge', label: 'Judge (a model)' }]} />
          </Stack>
          {mode === 'judge' && (
            <>
              <Select label="Provider" required withAsterisk={false} data={PROVIDER_OPTIONS} value={provider} onChange={(v) => setProvider(v as Provider | null)} />
              <TextInput label="Model" description="Empty: the provider's default judge model." value={model} onChange={(e) => setModel(e.currentTarget.value)} />
              <KeyField value={key} onChange={setKey} />
            </>
          )}
          {run.isError && <ErrorAlert error={run.error} title="Could not start the evaluation" />}
          <FormActions onCancel={close} busy={run.isPending} submitLabel="Run evaluation" disabled={mode === 'judge' && !provider} />
        </Stack>
      </form>
    </Modal>
  );
}

/** "Run tests": the prompt's test cases answered by provider and model (else the version's config), with a key. */
export function RunTestsDialog({ versionId, opened, onClose, onQueued }: { versionId: string; opened: boolean; onClose: () => void; onQueued: (id: string) => void }) {
  const [provider, setProvider] = useState<Provider | null>(null);
  const [model, setModel] = useState('');
  const [key, setKey] = useState('');
  const close = () => { setKey(''); run.reset(); onClose(); };
  const run = useMutation({
    mutationFn: () => call(api.POST('/api/v1/versions/{id}/test-runs', {
      params: { path: { id: versionId } },
      body: { ...(provider ? { provider } : {}), ...(model.trim() ? { model: model.trim() } : {}), ...(key ? { api_key: key } : {}) },
    })),
    onSuccess: (answer) => { onQueued(answer.test_run_id); close(); },
  });
  return (
    <Modal opened={opened} onClose={close} title="Run tests">
      <form onSubmit={(e) => { e.preventDefault(); run.mutate(); }}>
        <Stack>
          <Text size="sm" c="dimmed">Each test case is answered by this version and compared with the live version&apos;s answer. Empty provider and model: the version&apos;s config.</Text>
          <Select label="Provider" clearable data={PROVIDER_OPTIONS} value={provider} onChange={(v) => setProvider(v as Provider | null)} />
          <TextInput label="Model" value={model} onChange={(e) => setModel(e.currentTarget.value)} />
          <KeyField value={key} onChange={setKey} />
          {run.isError && <ErrorAlert error={run.error} title="Could not start the test run" />}
          <FormActions onCancel={close} busy={run.isPending} submitLabel="Run tests" />
        </Stack>
      </form>
    </Modal>
  );
}
