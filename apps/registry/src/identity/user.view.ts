import type { UserEntity } from '#persistence';

/** A user as the API shows it: never the password hash. */
export function toUserView(user: Pick<UserEntity, 'id' | 'email' | 'name' | 'createdAt'>) {
  return { id: user.id, email: user.email, name: user.name, created_at: user.createdAt.toISOString() };
}
export type UserView = ReturnType<typeof toUserView>;
