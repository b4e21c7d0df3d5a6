import { isRole, refuseMemberChange, roleAtLeast, ROLES, rolesAtLeast, type MemberChange, type Role } from './roles.js';

describe('roles', () => {
  it('orders viewer < editor < reviewer < admin < owner, each including the ones before', () => {
    expect(ROLES).toEqual(['viewer', 'editor', 'reviewer', 'admin', 'owner']);
    for (const [i, role] of ROLES.entries()) {
      for (const [j, min] of ROLES.entries()) expect(roleAtLeast(role, min)).toBe(i >= j);
    }
  });

  it('lists the roles at a minimum or above, lowest first', () => {
    expect(rolesAtLeast('viewer')).toEqual([...ROLES]);
    expect(rolesAtLeast('reviewer')).toEqual(['reviewer', 'admin', 'owner']);
    expect(rolesAtLeast('owner')).toEqual(['owner']);
  });

  it('recognises only the five role names', () => {
    expect(ROLES.every(isRole)).toBe(true);
    for (const v of ['Owner', 'root', '', null, 3]) expect(isRole(v)).toBe(false);
  });

  const cases: Array<[string, Role, MemberChange, number, ReturnType<typeof refuseMemberChange>]> = [
    ['an editor adds a viewer', 'editor', { kind: 'add', role: 'viewer' }, 1, 'forbidden'],
    ['a reviewer removes a viewer', 'reviewer', { kind: 'remove', from: 'viewer' }, 1, 'forbidden'],
    ['an admin adds an editor', 'admin', { kind: 'add', role: 'editor' }, 1, null],
    ['an admin adds an admin', 'admin', { kind: 'add', role: 'admin' }, 1, null],
    ['an admin grants owner', 'admin', { kind: 'add', role: 'owner' }, 1, 'owner_only'],
    ['an admin promotes to owner', 'admin', { kind: 'change_role', from: 'editor', to: 'owner' }, 1, 'owner_only'],
    ['an admin demotes an owner', 'admin', { kind: 'change_role', from: 'owner', to: 'admin' }, 2, 'owner_only'],
    ['an admin removes an owner', 'admin', { kind: 'remove', from: 'owner' }, 2, 'owner_only'],
    ['an admin demotes another admin', 'admin', { kind: 'change_role', from: 'admin', to: 'viewer' }, 1, null],
    ['an owner grants owner', 'owner', { kind: 'add', role: 'owner' }, 1, null],
    ['an owner demotes the last owner', 'owner', { kind: 'change_role', from: 'owner', to: 'admin' }, 1, 'last_owner'],
    ['an owner removes the last owner', 'owner', { kind: 'remove', from: 'owner' }, 1, 'last_owner'],
    ['an owner demotes one of two owners', 'owner', { kind: 'change_role', from: 'owner', to: 'viewer' }, 2, null],
    ['an owner removes one of two owners', 'owner', { kind: 'remove', from: 'owner' }, 2, null],
    ['an owner keeps the last owner an owner', 'owner', { kind: 'change_role', from: 'owner', to: 'owner' }, 1, null],
  ];
  it.each(cases)('%s', (_name, actor, change, owners, expected) => {
    expect(refuseMemberChange(actor, change, owners)).toBe(expected);
  });
});
