/**
 * Roles in the browser: the order of libs/domain (viewer < editor < reviewer < admin < owner) and
 * the words the dashboard shows when a role is missing.
 */
import { roleAtLeast, ROLES, type Role } from '../../../../libs/domain/src/roles.js';

export { roleAtLeast, ROLES, type Role };

/** The tooltip of a control the user's role may not use. */
export function needsRoleText(needed: Role, current: Role | null): string {
  const tail = needed === 'owner' ? '' : ' or higher';
  return `Needs the ${needed} role${tail}${current ? ` (you are ${current})` : ''}.`;
}
