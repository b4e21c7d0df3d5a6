import { Inject, Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { JwtService } from '@nestjs/jwt';
import type { HttpRequest as Request } from '../common/http.js';
import { DataSource } from 'typeorm';
import { BatchedCalls, ForbiddenError, normalizeEmail, UnauthorizedError } from '#domain';
import { preparedStatement, UserEntity } from '#persistence';
import { REGISTRY_CONFIG, type RegistryConfig } from '../common/config.js';
import { isUuid } from '../common/ids.js';
import type { AuthenticatedRequest, AuthenticatedUser } from './current-user.decorator.js';
import { IS_PUBLIC } from './public.decorator.js';

/** The users of the tokens of the requests that arrived together: one statement for all of them. */
const USERS_OF_TOKENS = preparedStatement(`SELECT id, email, name FROM users WHERE id = ANY($1::uuid[])`);

const BEARER = /^Bearer\s+([A-Za-z0-9_.-]+)\s*$/i;
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
/** A header a cross-site HTML form cannot set: its presence proves a script of ours (or a CLI) sent the request. */
export const CLIENT_HEADER = 'x-promptgate-client';

/**
 * A cross-site form or image can make a browser send a request to localhost with no header of
 * its own choosing; only a JSON content type or a custom header (which force a CORS preflight)
 * shows the request came from a client that means it.
 */
function cannotBeCrossSiteForm(req: Request): boolean {
  if (SAFE_METHODS.has(req.method)) return true;
  const mediaType = (req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
  if (mediaType === 'application/json' || (mediaType.startsWith('application/') && mediaType.endsWith('+json'))) return true;
  return req.headers[CLIENT_HEADER] !== undefined || req.headers['x-requested-with'] !== undefined;
}

/**
 * Global guard: every route needs a valid bearer token of a user that still exists, unless it is
 * @Public(). The development bypass applies only with APP_ENV=development and DEV_AUTH_BYPASS=true,
 * and only to requests that carry no Authorization header at all; such a request that changes
 * something must also carry a JSON content type or an X-Promptgate-Client / X-Requested-With header.
 */
@Injectable()
export class AuthGuard implements CanActivate {
  private readonly devBypass: boolean;
  /**
   * Every authenticated request reads its user: the reads of requests that arrive while one is in
   * flight go together in the next (BatchedCalls), each still read after its request arrived.
   */
  private readonly users = new BatchedCalls<string, AuthenticatedUser | null>(async (ids) => {
    const rows = (await USERS_OF_TOKENS.run(this.dataSource.manager, [[...new Set(ids)]])) as AuthenticatedUser[];
    const byId = new Map(rows.map((row) => [row.id, row]));
    return ids.map((id) => byId.get(id) ?? null);
  });

  constructor(
    private readonly reflector: Reflector,
    private readonly jwt: JwtService,
    private readonly dataSource: DataSource,
    @Inject(REGISTRY_CONFIG) private readonly config: RegistryConfig,
  ) {
    this.devBypass = config.APP_ENV === 'development' && config.DEV_AUTH_BYPASS;
  }

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, [context.getHandler(), context.getClass()])) return true;
    const req = context.switchToHttp().getRequest<Request & AuthenticatedRequest>();
    req.user = await this.authenticate(req);
    return true;
  }

  private async authenticate(req: Request): Promise<AuthenticatedUser> {
    const header = req.headers.authorization;
    if (header === undefined) {
      if (!this.devBypass) throw new UnauthorizedError('Authentication required: send Authorization: Bearer <access_token>.');
      if (!cannotBeCrossSiteForm(req)) {
        throw new ForbiddenError(
          'The development auth bypass needs Content-Type: application/json or an X-Promptgate-Client header on a '
          + `${req.method}, so a cross-site form cannot act as the admin.`,
        );
      }
      return this.userWhere(
        { email: normalizeEmail(this.config.DEV_ADMIN_EMAIL) },
        'Authentication required: the development admin has not been seeded.',
      );
    }
    const token = BEARER.exec(header)?.[1];
    if (!token) throw new UnauthorizedError('The Authorization header must be "Bearer <access_token>".');
    let payload: { sub?: unknown; exp?: unknown };
    try {
      payload = await this.jwt.verifyAsync<{ sub?: unknown; exp?: unknown }>(token);
    } catch {
      throw new UnauthorizedError('The access token is invalid or has expired.');
    }
    // jsonwebtoken accepts a token without exp as never expiring; ours always carry one.
    if (typeof payload.exp !== 'number' || !isUuid(payload.sub)) throw new UnauthorizedError('The access token is invalid or has expired.');
    const user = await this.users.call(payload.sub);
    if (!user) throw new UnauthorizedError('The account of this access token no longer exists.');
    return { id: user.id, email: user.email, name: user.name };
  }

  private async userWhere(where: { email: string }, missing: string): Promise<AuthenticatedUser> {
    const user = await this.dataSource.getRepository(UserEntity).findOne({ where, select: { id: true, email: true, name: true } });
    if (!user) throw new UnauthorizedError(missing);
    return { id: user.id, email: user.email, name: user.name };
  }
}

/** Refuses signup (`403`) on servers started with ALLOW_SIGNUP=false, before the body is even validated. */
@Injectable()
export class SignupEnabledGuard implements CanActivate {
  constructor(@Inject(REGISTRY_CONFIG) private readonly config: RegistryConfig) {}

  canActivate(): boolean {
    if (!this.config.ALLOW_SIGNUP) throw new ForbiddenError('Signup is disabled on this server.');
    return true;
  }
}
