/**
 * Who may do what on the Members page: the rule of API.md ("Workspaces, members, environments")
 * that the registry applies (libs/domain refuseMemberChange), asked before a control is offered so
 * the page disables what the API would refuse and says why. The API stays the judge.
 */

export const ROLES = ['viewer', 'editor', 'reviewer', 'admin', 'owner'] as const;
export type Role = (typeof ROLES)[number];

export const roleAtLeast = (role: Role, min: Role): boolean => ROLES.indexOf(role) >= ROLES.indexOf(min);

export type MemberChange =
  | { kind: 'add'; role: Role }
  | { kind: 'change_role'; from: Role; to: Role }
  | { kind: 'remove'; from: Role };

export type MemberChangeRefusal = 'forbidden' | 'owner_only' | 'last_owner';

/** Why `actorRole` may not make `change` in a workspace with `ownerCount` owners, or null. */
export function refuseMemberChange(actorRole: Role, change: MemberChange, ownerCount: number): MemberChangeRefusal | null {
  if (!roleAtLeast(actorRole, 'admin')) return 'forbidden';
  const touchesOwner = change.kind === 'add'
    ? change.role === 'owner'
    : change.from === 'owner' || (change.kind === 'change_role' && change.to === 'owner');
  if (touchesOwner && actorRole !== 'owner') return 'owner_only';
  const losesAnOwner = change.kind !== 'add' && change.from === 'owner' && (change.kind === 'remove' || change.to !== 'owner');
  if (losesAnOwner && ownerCount <= 1) return 'last_owner';
  return null;
}

/** The refusal in words a person can act on. */
export const REFUSAL_TEXT: Record<MemberChangeRefusal, string> = {
  forbidden: 'Managing members needs the admin role.',
  owner_only: 'Only an owner can grant the owner role, or change or remove an owner.',
  last_owner: 'This is the workspace\'s last owner: make another member an owner first, then change or remove this one.',
};

/** The roles `actorRole` may grant to a new member. */
export const grantableRoles = (actorRole: Role): Role[] =>
  ROLES.filter((role) => refuseMemberChange(actorRole, { kind: 'add', role }, 0) === null);

/** The API's refusal of a member change (its error code) in words, or null when the code is not one of these. */
export function memberErrorText(code: string | undefined): string | null {
  switch (code) {
    case 'last_owner': return REFUSAL_TEXT.last_owner;
    case 'forbidden': return 'You may not make this change: managing members needs the admin role, and owners are changed only by an owner.';
    case 'not_found': return 'No account has this email. Ask them to sign up first, then add them.';
    case 'conflict': return 'This person is already a member of the workspace.';
    default: return null;
  }
}
