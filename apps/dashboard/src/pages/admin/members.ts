/**
 * Who may do what on the Members page: the registry's own rule (libs/domain refuseMemberChange),
 * asked before a control is offered so the page disables what the API would refuse and says why.
 */
import {
  refuseMemberChange, ROLES, type MemberChange, type MemberChangeRefusal, type Role,
} from '../../../../../libs/domain/src/roles.js';

export { refuseMemberChange, ROLES, type MemberChange, type MemberChangeRefusal, type Role };

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
