import {
  ActionIcon, Alert, Anchor, Badge, Button, Fieldset, Group, Modal, Paper, Select, Stack, Switch, Text, Textarea, TextInput, Title,
} from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { Link } from 'wouter';
import { api, ApiError, call, type Schema } from '../../api/client.js';
import { ConfirmDialog } from '../../components/ConfirmDialog.js';
import { GatedButton } from '../../components/RoleGate.js';
import { EmptyState, ErrorAlert, Loading, QueryState } from '../../components/states.js';
import {
  apiErrorsToFields, ASSERTION_KINDS, ASSERTION_TYPES, changeAssertionType, describeAssertion, draftToBody, FILL_ROLES, newTestCaseDraft,
  testCaseToDraft, type AssertionType, type FieldErrors, type FillRole, type TestCaseBody, type TestCaseDraft,
} from './test-case-form.js';
import { FormActions } from '../../components/FormActions.js';

type Prompt = Schema<'Prompt'>;
type TestCase = Schema<'TestCase'>;

/** API.md: at most 200 cases per prompt, which is also the API's largest page. */
const MAX_CASES = 200;

/** A prompt's test cases: the inputs its application sends and what a good answer satisfies. */
export function TestCasesPage({ promptId }: { promptId: string }) {
  const prompt = useQuery({
    queryKey: ['prompt', promptId],
    queryFn: () => call(api.GET('/api/v1/prompts/{id}', { params: { path: { id: promptId } } })),
  });
  return (
    <Stack>
      <Anchor component={Link} href={`/prompts/${promptId}`}>Back to the prompt</Anchor>
      <QueryState query={prompt} loadingLabel="Loading the prompt…">
        {(p) => <TestCases prompt={p} />}
      </QueryState>
    </Stack>
  );
}

type Editing = { mode: 'new' } | { mode: 'edit'; testCase: TestCase };

function TestCases({ prompt }: { prompt: Prompt }) {
  const queryClient = useQueryClient();
  const [editing, setEditing] = useState<Editing | null>(null);
  const [deleting, setDeleting] = useState<TestCase | null>(null);
  const queryKey = ['test-cases', prompt.id];
  const cases = useQuery({
    queryKey,
    queryFn: () => call(api.GET('/api/v1/prompts/{id}/test-cases', { params: { path: { id: prompt.id }, query: { limit: MAX_CASES } } })),
  });
  const remove = useMutation({
    mutationFn: (testCase: TestCase) => call(api.DELETE('/api/v1/test-cases/{id}', { params: { path: { id: testCase.id } } })),
    onSuccess: async () => {
      setDeleting(null);
      await queryClient.invalidateQueries({ queryKey });
    },
  });
  const items = cases.data?.items ?? [];
  const full = items.length >= MAX_CASES;

  return (
    <Stack>
      <Group justify="space-between" align="flex-end">
        <div>
          <Title order={2}>Test cases</Title>
          <Text c="dimmed">
            of <code>{prompt.key}</code> ({prompt.type}). A test run answers each case with a version and checks its assertions,
            and the judge compares each answer with the live version&apos;s.
          </Text>
        </div>
        <GatedButton needs="editor" onClick={() => setEditing({ mode: 'new' })} disabled={full} title={full ? 'A prompt has at most 200 test cases.' : undefined}>
          New test case
        </GatedButton>
      </Group>
      {cases.isPending ? <Loading label="Loading test cases…" />
        : cases.isError ? <ErrorAlert error={cases.error} title="Could not load the test cases" onRetry={() => void cases.refetch()} />
          : items.length === 0 ? (
            <EmptyState title="No test cases yet">
              Add the inputs this prompt&apos;s application really sends, with what a good answer must satisfy. Reviewers then see how a change behaves before approving it.
            </EmptyState>
          ) : (
            <Stack gap="sm" component="ul" style={{ listStyle: 'none', padding: 0, margin: 0 }} aria-label="Test cases">
              {items.map((testCase) => (
                <TestCaseCard
                  key={testCase.id}
                  testCase={testCase}
                  onEdit={() => setEditing({ mode: 'edit', testCase })}
                  onDelete={() => { remove.reset(); setDeleting(testCase); }}
                />
              ))}
            </Stack>
          )}

      <Modal
        opened={editing !== null}
        onClose={() => setEditing(null)}
        title={editing?.mode === 'edit' ? `Edit test case ${editing.testCase.name}` : 'New test case'}
        size="xl"
      >
        {editing && (
          <TestCaseEditor
            key={editing.mode === 'edit' ? editing.testCase.id : 'new'}
            prompt={prompt}
            editing={editing}
            onDone={() => {
              setEditing(null);
              void queryClient.invalidateQueries({ queryKey });
            }}
            onCancel={() => setEditing(null)}
          />
        )}
      </Modal>
      <ConfirmDialog
        opened={deleting !== null}
        title={`Delete the test case ${deleting?.name ?? ''}?`}
        confirmColor="red"
        busy={remove.isPending}
        onCancel={() => setDeleting(null)}
        onConfirm={() => deleting && remove.mutate(deleting)}
      >
        <Stack gap="xs">
          <Text>Later test runs no longer answer it. Results of past runs keep its answers.</Text>
          {remove.isError && <ErrorAlert error={remove.error} title="Could not delete the test case" />}
        </Stack>
      </ConfirmDialog>
    </Stack>
  );
}

function TestCaseCard({ testCase, onEdit, onDelete }: { testCase: TestCase; onEdit: () => void; onDelete: () => void }) {
  const variables = Object.entries(testCase.variables);
  const placeholders = Object.entries(testCase.placeholders);
  return (
    <Paper component="li" withBorder p="sm" data-testid="test-case" aria-label={testCase.name}>
      <Group justify="space-between" align="flex-start" wrap="nowrap">
        <Stack gap={6} style={{ minWidth: 0 }}>
          <Title order={3} size="h5">{testCase.name}</Title>
          {variables.length > 0 && (
            <Group gap={6}>
              <Text size="xs" c="dimmed">Variables:</Text>
              {variables.map(([name, value]) => (
                <Badge key={name} variant="light" tt="none" title={value}>{`{{${name}}}`} = {value.length > 40 ? `${value.slice(0, 40)}…` : value}</Badge>
              ))}
            </Group>
          )}
          {placeholders.length > 0 && (
            <Text size="xs" c="dimmed">
              Placeholders: {placeholders.map(([name, list]) => `${name} (${list.length} ${list.length === 1 ? 'message' : 'messages'})`).join(', ')}
            </Text>
          )}
          <Text size="sm" lineClamp={2}>
            {testCase.input === null ? <Text span c="dimmed">No user message</Text> : <>User: {testCase.input || <Text span c="dimmed">(empty)</Text>}</>}
          </Text>
          {testCase.assertions.length === 0
            ? <Text size="xs" c="dimmed">No assertions: only the judge&apos;s comparison with the baseline.</Text>
            : (
              <Group gap={6}>
                {testCase.assertions.map((a, i) => <Badge key={i} variant="outline" tt="none">{describeAssertion(a)}</Badge>)}
              </Group>
            )}
        </Stack>
        <Group gap="xs" wrap="nowrap">
          <GatedButton needs="editor" size="xs" variant="light" aria-label={`Edit ${testCase.name}`} onClick={onEdit}>Edit</GatedButton>
          <GatedButton needs="editor" size="xs" variant="light" color="red" aria-label={`Delete ${testCase.name}`} onClick={onDelete}>Delete</GatedButton>
        </Group>
      </Group>
    </Paper>
  );
}

function TestCaseEditor({ prompt, editing, onDone, onCancel }: {
  prompt: Prompt;
  editing: Editing;
  onDone: () => void;
  onCancel: () => void;
}) {
  const [draft, setDraft] = useState<TestCaseDraft>(() =>
    editing.mode === 'edit' ? testCaseToDraft(editing.testCase) : newTestCaseDraft(prompt.live_version));
  const [errors, setErrors] = useState<FieldErrors>({});
  const save = useMutation({
    mutationFn: (body: TestCaseBody) => editing.mode === 'edit'
      ? call(api.PATCH('/api/v1/test-cases/{id}', { params: { path: { id: editing.testCase.id } }, body }))
      : call(api.POST('/api/v1/prompts/{id}/test-cases', { params: { path: { id: prompt.id } }, body })),
    onSuccess: onDone,
    onError: (error) => {
      if (!(error instanceof ApiError)) return;
      if (error.code === 'validation_failed') setErrors(apiErrorsToFields(error.details, draft));
      else if (error.code === 'conflict') setErrors({ name: 'This prompt already has a test case of this name.' });
    },
  });
  const update = (change: (d: TestCaseDraft) => TestCaseDraft) => {
    setDraft(change);
    setErrors({});
  };
  const submit = (event: FormEvent) => {
    event.preventDefault();
    const result = draftToBody(draft);
    if (result.errors) { setErrors(result.errors); return; }
    save.mutate(result.body);
  };
  const showPlaceholders = prompt.type === 'chat' || draft.placeholders.length > 0;
  const handled = save.error instanceof ApiError && (save.error.code === 'validation_failed' || save.error.code === 'conflict');

  return (
    <form onSubmit={submit} noValidate aria-label={editing.mode === 'edit' ? 'Edit test case' : 'New test case'}>
      <Stack>
        <TextInput
          label="Name"
          description="Unique within the prompt, such as refund request."
          required
          // No asterisk: the accessible name stays exactly the label (browser tests match it).
          withAsterisk={false}
          maxLength={200}
          value={draft.name}
          onChange={(e) => { const name = e.currentTarget.value; update((d) => ({ ...d, name })); }}
          error={errors.name}
          data-autofocus
        />

        <Fieldset legend="Variables">
          <Stack gap="xs">
            <Text size="xs" c="dimmed">Values of the prompt&apos;s {'{{variables}}'}. A variable left empty stays unfilled, as written.</Text>
            {draft.variables.map((row, i) => (
              <Group key={i} align="flex-start" gap="xs" wrap="nowrap">
                <TextInput
                  aria-label={`Variable ${i + 1} name`}
                  placeholder="name"
                  w={180}
                  value={row.name}
                  onChange={(e) => { const name = e.currentTarget.value; update((d) => ({ ...d, variables: d.variables.map((r, j) => (j === i ? { ...r, name } : r)) })); }}
                  error={errors[`variables[${i}].name`]}
                />
                <Textarea
                  aria-label={`Value of ${row.name.trim() || `variable ${i + 1}`}`}
                  placeholder="value"
                  autosize
                  minRows={1}
                  maxRows={6}
                  style={{ flex: 1 }}
                  value={row.value}
                  onChange={(e) => { const value = e.currentTarget.value; update((d) => ({ ...d, variables: d.variables.map((r, j) => (j === i ? { ...r, value } : r)) })); }}
                />
                <RemoveButton label={`Remove variable ${row.name.trim() || i + 1}`} onClick={() => update((d) => ({ ...d, variables: d.variables.filter((_, j) => j !== i) }))} />
              </Group>
            ))}
            <Group><Button size="xs" variant="light" onClick={() => update((d) => ({ ...d, variables: [...d.variables, { name: '', value: '' }] }))}>Add variable</Button></Group>
          </Stack>
        </Fieldset>

        <Fieldset legend="User message">
          <Stack gap="xs">
            <Switch
              label="Send a user message after the prompt"
              description={prompt.type === 'text' ? 'The prompt is sent as the system message, then this.' : 'Sent after the prompt\'s messages.'}
              checked={draft.sendInput}
              onChange={(e) => { const sendInput = e.currentTarget.checked; update((d) => ({ ...d, sendInput })); }}
            />
            <Textarea
              label="Input"
              description="What the application's user says, such as Where is my refund?"
              autosize
              minRows={2}
              maxRows={12}
              disabled={!draft.sendInput}
              value={draft.input}
              onChange={(e) => { const input = e.currentTarget.value; update((d) => ({ ...d, input })); }}
              error={errors.input}
            />
          </Stack>
        </Fieldset>

        {showPlaceholders && <PlaceholdersEditor draft={draft} errors={errors} update={update} />}

        <Fieldset legend="Assertions">
          <Stack gap="xs">
            <Text size="xs" c="dimmed">What a good answer satisfies. A case passes when every assertion passes.</Text>
            {draft.assertions.map((row, i) => {
              const kind = ASSERTION_KINDS[row.type];
              const valueError = errors[`assertions[${i}].value`];
              return (
                <Group key={i} align="flex-start" gap="xs" wrap="nowrap" data-testid="assertion-row">
                  <Select
                    aria-label={`Type of assertion ${i + 1}`}
                    w={230}
                    allowDeselect={false}
                    data={ASSERTION_TYPES.map((t) => ({ value: t, label: ASSERTION_KINDS[t].label }))}
                    value={row.type}
                    onChange={(value) => value && update((d) => ({
                      ...d, assertions: d.assertions.map((r, j) => (j === i ? changeAssertionType(r, value as AssertionType) : r)),
                    }))}
                  />
                  {kind.valueLabel === null ? (
                    <Stack gap={2} style={{ flex: 1 }}>
                      <Text size="sm" pt={6}>{kind.hint}</Text>
                      {valueError && <Text size="xs" c="red">{valueError}</Text>}
                    </Stack>
                  ) : row.type === 'judge' ? (
                    <Textarea
                      aria-label={`${kind.valueLabel} of assertion ${i + 1}`}
                      placeholder="addresses the customer formally"
                      description={kind.hint}
                      autosize
                      minRows={1}
                      maxRows={4}
                      style={{ flex: 1 }}
                      value={row.value}
                      onChange={(e) => { const value = e.currentTarget.value; update((d) => ({ ...d, assertions: d.assertions.map((r, j) => (j === i ? { ...r, value } : r)) })); }}
                      error={valueError}
                    />
                  ) : (
                    <TextInput
                      aria-label={`${kind.valueLabel} of assertion ${i + 1}`}
                      description={kind.hint}
                      inputMode={row.type === 'max_chars' ? 'numeric' : undefined}
                      style={{ flex: 1 }}
                      value={row.value}
                      onChange={(e) => { const value = e.currentTarget.value; update((d) => ({ ...d, assertions: d.assertions.map((r, j) => (j === i ? { ...r, value } : r)) })); }}
                      error={valueError}
                    />
                  )}
                  <RemoveButton label={`Remove assertion ${i + 1}`} onClick={() => update((d) => ({ ...d, assertions: d.assertions.filter((_, j) => j !== i) }))} />
                </Group>
              );
            })}
            <Group>
              <Button size="xs" variant="light" onClick={() => update((d) => ({ ...d, assertions: [...d.assertions, { type: 'contains', value: '' }] }))}>
                Add assertion
              </Button>
            </Group>
          </Stack>
        </Fieldset>

        {errors.form && <Alert color="red" role="alert">{errors.form}</Alert>}
        {save.isError && !handled && <ErrorAlert error={save.error} title="Could not save the test case" />}
        {save.isError && save.error instanceof ApiError && save.error.code === 'validation_failed' && (
          <Text size="sm" c="red" role="alert">The registry refused some fields: see the messages next to them.</Text>
        )}
        <FormActions onCancel={onCancel} busy={save.isPending} submitLabel={editing.mode === 'edit' ? 'Save changes' : 'Create'} />
      </Stack>
    </form>
  );
}

function PlaceholdersEditor({ draft, errors, update }: {
  draft: TestCaseDraft;
  errors: FieldErrors;
  update: (change: (d: TestCaseDraft) => TestCaseDraft) => void;
}) {
  const setMessages = (i: number, change: (list: TestCaseDraft['placeholders'][number]['messages']) => TestCaseDraft['placeholders'][number]['messages']) =>
    update((d) => ({ ...d, placeholders: d.placeholders.map((p, j) => (j === i ? { ...p, messages: change(p.messages) } : p)) }));
  return (
    <Fieldset legend="Placeholders">
      <Stack gap="sm">
        <Text size="xs" c="dimmed">Messages that fill the chat prompt&apos;s placeholders, such as the conversation so far. A placeholder left empty is dropped.</Text>
        {draft.placeholders.map((row, i) => {
          const name = row.name.trim() || `placeholder ${i + 1}`;
          return (
            <Paper key={i} withBorder p="xs">
              <Stack gap="xs">
                <Group align="flex-start" gap="xs">
                  <TextInput
                    aria-label={`Placeholder ${i + 1} name`}
                    placeholder="history"
                    w={200}
                    value={row.name}
                    onChange={(e) => { const value = e.currentTarget.value; update((d) => ({ ...d, placeholders: d.placeholders.map((p, j) => (j === i ? { ...p, name: value } : p)) })); }}
                    error={errors[`placeholders[${i}].name`]}
                  />
                  <RemoveButton label={`Remove placeholder ${name}`} onClick={() => update((d) => ({ ...d, placeholders: d.placeholders.filter((_, j) => j !== i) }))} />
                </Group>
                {row.messages.map((message, k) => (
                  <Group key={k} align="flex-start" gap="xs" wrap="nowrap">
                    <Select
                      aria-label={`Role of message ${k + 1} of ${name}`}
                      w={130}
                      allowDeselect={false}
                      data={[...FILL_ROLES]}
                      value={message.role}
                      onChange={(value) => value && setMessages(i, (list) => list.map((m, j) => (j === k ? { ...m, role: value as FillRole } : m)))}
                    />
                    <Textarea
                      aria-label={`Content of message ${k + 1} of ${name}`}
                      autosize
                      minRows={1}
                      maxRows={6}
                      style={{ flex: 1 }}
                      value={message.content}
                      onChange={(e) => { const content = e.currentTarget.value; setMessages(i, (list) => list.map((m, j) => (j === k ? { ...m, content } : m))); }}
                    />
                    <RemoveButton label={`Remove message ${k + 1} of ${name}`} onClick={() => setMessages(i, (list) => list.filter((_, j) => j !== k))} />
                  </Group>
                ))}
                <Group>
                  <Button size="xs" variant="subtle" onClick={() => setMessages(i, (list) => [...list, { role: list.at(-1)?.role === 'user' ? 'assistant' : 'user', content: '' }])}>
                    Add message to {name}
                  </Button>
                </Group>
              </Stack>
            </Paper>
          );
        })}
        <Group><Button size="xs" variant="light" onClick={() => update((d) => ({ ...d, placeholders: [...d.placeholders, { name: '', messages: [] }] }))}>Add placeholder</Button></Group>
      </Stack>
    </Fieldset>
  );
}

function RemoveButton({ label, onClick }: { label: string; onClick: () => void }) {
  return (
    <ActionIcon variant="subtle" color="gray" size="lg" aria-label={label} title={label} onClick={onClick}>
      <span aria-hidden>×</span>
    </ActionIcon>
  );
}
