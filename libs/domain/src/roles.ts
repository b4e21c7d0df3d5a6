/** Workspace roles, lowest first; each includes every permission of the ones before it. */
export const ROLES = ['viewer', 'editor', 'reviewer', 'admin', 'owner'] as const;
export type Role = (typeof ROLES)[number];

export function isRole(value: unknown): value is Role {
  return typeof value === 'string' && (ROLES as readonly string[]).includes(value);
}

export function roleAtLeast(role: Role, min: Role): boolean {
  return ROLES.indexOf(role) >= ROLES.indexOf(min);
}

/** Every role at `min` or above, lowest first: what a statement that checks the role itself is given. */
export function rolesAtLeast(min: Role): Role[] {
  return ROLES.filter((role) => roleAtLeast(role, min));
}

export type MemberChange =
  | { kind: 'add'; role: Role }
  | { kind: 'change_role'; from: Role; to: Role }
  | { kind: 'remove'; from: Role };

/**
 * `forbidden`: the actor is below admin. `owner_only`: only an owner may grant owner or change or
 * remove an owner. `last_owner`: a workspace always keeps at least one owner.
 */
export type MemberChangeRefusal = 'forbidden' | 'owner_only' | 'last_owner';

/** Why `actorRole` may not make `change` in a workspace that has `ownerCount` owners, or null when it may. */
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
