import { Button, Group, Paper, Select, Stack, Table, Text, TextInput, Title, Tooltip, VisuallyHidden } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { api, ApiError, call, type Schema } from '../../api/client.js';
import { ConfirmDialog } from '../../components/ConfirmDialog.js';
import { EmptyState, ErrorAlert, Loading } from '../../components/states.js';
import { needsRoleText } from '../../lib/roles.js';
import { useSession } from '../../session/session.js';
import { useWorkspace, type Workspace } from '../../session/workspace.js';
import { detailsByField } from './api-errors.js';
import { grantableRoles, memberErrorText, REFUSAL_TEXT, refuseMemberChange, ROLES, type MemberChange, type Role } from './members.js';
import { Time } from './shared.js';

type Member = Schema<'Member'>;

/** The API's largest page: a workspace's members fit in it, so the owner count is known. */
const MEMBERS_PAGE = 200;

const ROLE_TEXT: Record<Role, string> = {
  viewer: 'viewer (reads)',
  editor: 'editor (proposes changes)',
  reviewer: 'reviewer (approves)',
  admin: 'admin (manages keys, members, settings)',
  owner: 'owner (everything)',
};

/** The workspace's members and their roles: add by email, change a role, remove. */
export function MembersPage() {
  const { workspace } = useWorkspace();
  return (
    <Stack>
      <Title order={2}>Members</Title>
      {workspace ? <Members workspace={workspace} /> : <Loading />}
    </Stack>
  );
}

/** Why the signed-in member may not make `change`, in words; null when they may. */
function useRefusal(ownerCount: number | null) {
  const { role } = useWorkspace();
  return (change: MemberChange): string | null => {
    if (role === null) return null;
    // With more members than one page holds, the owner count is the API's to check.
    const refusal = refuseMemberChange(role, change, ownerCount ?? Number.MAX_SAFE_INTEGER);
    if (refusal === 'forbidden') return needsRoleText('admin', role);
    return refusal ? REFUSAL_TEXT[refusal] : null;
  };
}

function Members({ workspace }: { workspace: Workspace }) {
  const queryClient = useQueryClient();
  const { me } = useSession();
  const [removing, setRemoving] = useState<Member | null>(null);
  const queryKey = ['members', workspace.id];
  const members = useQuery({
    queryKey,
    queryFn: () => call(api.GET('/api/v1/workspaces/{ws}/members', { params: { path: { ws: workspace.id }, query: { limit: MEMBERS_PAGE } } })),
  });
  const items = members.data?.items ?? [];
  const ownerCount = members.data && members.data.next_cursor === null ? items.filter((m) => m.role === 'owner').length : null;
  const refusal = useRefusal(ownerCount);
  const canManage = useWorkspace().can('admin');

  const refresh = async (member: Member) => {
    await queryClient.invalidateQueries({ queryKey });
    // My own role may have changed: the session's memberships say which controls I get.
    if (member.user.id === me?.user.id) await queryClient.invalidateQueries({ queryKey: ['me'] });
  };
  const changeRole = useMutation({
    mutationFn: ({ member, role }: { member: Member; role: Role }) => call(api.PATCH('/api/v1/workspaces/{ws}/members/{userId}', {
      params: { path: { ws: workspace.id, userId: member.user.id } }, body: { role },
    })),
    onSuccess: (_, { member }) => refresh(member),
  });
  const remove = useMutation({
    mutationFn: (member: Member) => call(api.DELETE('/api/v1/workspaces/{ws}/members/{userId}', {
      params: { path: { ws: workspace.id, userId: member.user.id } },
    })),
    onSuccess: async (_, member) => {
      setRemoving(null);
      await refresh(member);
    },
  });

  return (
    <Stack>
      <Text c="dimmed">Roles, each including the one before: viewer, editor, reviewer, admin, owner.</Text>
      <AddMember workspace={workspace} onAdded={() => void queryClient.invalidateQueries({ queryKey })} />
      {changeRole.isError && (
        <ErrorAlert
          error={changeRole.error}
          title={memberErrorText((changeRole.error as ApiError).code) ?? 'Could not change the role'}
        />
      )}
      {members.isPending ? <Loading label="Loading members…" />
        : members.isError ? <ErrorAlert error={members.error} title="Could not load the members" onRetry={() => void members.refetch()} />
          : items.length === 0 ? <EmptyState title="No members">This workspace has no members you can see.</EmptyState>
            : (
              <Table.ScrollContainer minWidth={640}>
                <Table striped>
                  <Table.Caption><VisuallyHidden>Members of {workspace.name}</VisuallyHidden></Table.Caption>
                  <Table.Thead>
                    <Table.Tr>
                      <Table.Th>Email</Table.Th>
                      <Table.Th>Name</Table.Th>
                      <Table.Th>Role</Table.Th>
                      <Table.Th>Member since</Table.Th>
                      <Table.Th><VisuallyHidden>Actions</VisuallyHidden></Table.Th>
                    </Table.Tr>
                  </Table.Thead>
                  <Table.Tbody>
                    {items.map((member) => {
                      const email = member.user.email;
                      const removeRefusal = refusal({ kind: 'remove', from: member.role });
                      // A role is offered when the change to it is allowed; the current one always shows.
                      const roles = ROLES.filter((r) => r === member.role || refusal({ kind: 'change_role', from: member.role, to: r }) === null);
                      const roleLocked = roles.length <= 1;
                      const lockReason = roleLocked
                        ? refusal({ kind: 'change_role', from: member.role, to: member.role === 'owner' ? 'admin' : 'owner' })
                        : null;
                      const busy = changeRole.isPending && changeRole.variables?.member.user.id === member.user.id;
                      return (
                        <Table.Tr key={member.user.id} data-testid="member-row">
                          <Table.Td>{email}{member.user.id === me?.user.id && <Text span c="dimmed"> (you)</Text>}</Table.Td>
                          <Table.Td>{member.user.name ?? <Text span c="dimmed">—</Text>}</Table.Td>
                          <Table.Td>
{roleLocked ? (
                              <Stack gap={2}>
                                <Text size="sm">{member.role}</Text>
                                {lockReason && canManage && <Text size="xs" c="dimmed">{lockReason}</Text>}
                              </Stack>
                            ) : (
                              <Select
                                aria-label={`Role of ${email}`}
                                size="xs"
                                w={130}
                                allowDeselect={false}
                                data={roles}
                                value={member.role}
                                disabled={busy}
                                onChange={(value) => value && value !== member.role && changeRole.mutate({ member, role: value as Role })}
                              />
                            )}
                          </Table.Td>
                          <Table.Td><Time at={member.created_at} /></Table.Td>
                          <Table.Td>
                            <Tooltip label={removeRefusal} disabled={!removeRefusal} events={{ hover: true, focus: true, touch: true }} multiline w={280}>
                              <Button
                                size="xs"
                                color="red"
                                variant="light"
                                aria-label={`Remove ${email}`}
                                data-disabled={removeRefusal ? true : undefined}
                                aria-disabled={removeRefusal ? true : undefined}
                                aria-description={removeRefusal ?? undefined}
                                onClick={(e) => {
                                  if (removeRefusal) { e.preventDefault(); return; }
                                  remove.reset();
                                  setRemoving(member);
                                }}
                              >
                                Remove
                              </Button>
                            </Tooltip>
                          </Table.Td>
                        </Table.Tr>
                      );
                    })}
                  </Table.Tbody>
                </Table>
              </Table.ScrollContainer>
            )}
      <ConfirmDialog
        opened={removing !== null}
        title={`Remove ${removing?.user.email ?? ''} from ${workspace.name}?`}
        confirmColor="red"
        busy={remove.isPending}
        onCancel={() => setRemoving(null)}
        onConfirm={() => removing && remove.mutate(removing)}
      >
        <Stack gap="xs">
          <Text>
            {removing?.user.id === me?.user.id
              ? 'You will lose access to this workspace.'
              : 'They lose access to this workspace at once. Their past changes and audit entries stay.'}
          </Text>
          {remove.isError && (
            <ErrorAlert error={remove.error} title={memberErrorText((remove.error as ApiError).code) ?? 'Could not remove the member'} />
          )}
        </Stack>
      </ConfirmDialog>
    </Stack>
  );
}

function AddMember({ workspace, onAdded }: { workspace: Workspace; onAdded: () => void }) {
  const { role: myRole } = useWorkspace();
  const grantable = myRole ? grantableRoles(myRole) : [];
  const [email, setEmail] = useState('');
  const [role, setRole] = useState<Role>('editor');
  const [tried, setTried] = useState(false);
  const add = useMutation({
    mutationFn: (body: { email: string; role: Role }) => call(api.POST('/api/v1/workspaces/{ws}/members', { params: { path: { ws: workspace.id } }, body })),
    onSuccess: () => {
      setEmail('');
      setTried(false);
      onAdded();
    },
  });
  if (grantable.length === 0) {
    return <Text size="sm" c="dimmed" role="note">{needsRoleText('admin', myRole)} Adding members and changing roles is for admins.</Text>;
  }
  const apiError = add.error instanceof ApiError ? add.error : null;
  const fields = apiError ? detailsByField(apiError.details) : {};
  const emailError = tried && email.trim() === '' ? 'The email of an account that exists.'
    : fields.email ?? (apiError && (apiError.code === 'not_found' || apiError.code === 'conflict') ? memberErrorText(apiError.code) : undefined) ?? undefined;
  const submit = (event: FormEvent) => {
    event.preventDefault();
    setTried(true);
    if (email.trim() === '') return;
    add.mutate({ email: email.trim(), role });
  };
  return (
    <Paper withBorder p="md" component="form" onSubmit={submit} noValidate aria-label="Add a member">
      <Stack gap="sm">
        <Title order={3} size="h5">Add a member</Title>
        <Group align="flex-start">
          <TextInput
            label="Email"
            description="Of someone who has signed up."
            type="email"
            required
            // No asterisk: the accessible name stays exactly the label (browser tests match it).
            withAsterisk={false}
            w={300}
            value={email}
            onChange={(e) => setEmail(e.currentTarget.value)}
            error={emailError}
          />
          <Select
            label="Role"
            description="What they may do."
            w={340}
            allowDeselect={false}
            data={grantable.map((r) => ({ value: r, label: ROLE_TEXT[r] }))}
            value={role}
            onChange={(value) => value && setRole(value as Role)}
            error={fields.role}
          />
          <Button type="submit" mt={44} loading={add.isPending}>Add member</Button>
        </Group>
        {apiError && !emailError && !fields.role && <ErrorAlert error={apiError} title={memberErrorText(apiError.code) ?? 'Could not add the member'} />}
        {add.isSuccess && <Text size="sm" c="teal" role="status">Added {add.data.member.user.email} as {add.data.member.role}.</Text>}
      </Stack>
    </Paper>
  );
}
