import { createParamDecorator, type ExecutionContext } from '@nestjs/common';

/** Who is calling, as the auth guard established it. */
export interface AuthenticatedUser {
  id: string;
  email: string;
  name: string | null;
}

export type AuthenticatedRequest = { user?: AuthenticatedUser };

/** `@CurrentUser() user: AuthenticatedUser` in a handler of an authenticated route. */
export const CurrentUser = createParamDecorator((_data: unknown, ctx: ExecutionContext): AuthenticatedUser => {
  const user = ctx.switchToHttp().getRequest<AuthenticatedRequest>().user;
  // Only reachable if a route marked @Public() asks for the user: a programming error, so a 500.
  if (!user) throw new Error('CurrentUser used on a route without an authenticated user');
  return user;
});
