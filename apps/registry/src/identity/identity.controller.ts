import { Body, Controller, Get, HttpCode, Inject, Ip, Post, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { REGISTRY_CONFIG, type RegistryConfig } from '../common/config.js';
import { SignupEnabledGuard } from './auth.guard.js';
import { CurrentUser, type AuthenticatedUser } from './current-user.decorator.js';
import { LoginDto } from './dto/login.dto.js';
import { SignupDto } from './dto/signup.dto.js';
import { IdentityService } from './identity.service.js';
import { Public } from './public.decorator.js';
import { ApiAnswer } from '../openapi/api-answers.js';
import { ApiErrors } from '../openapi/error-response.js';

@ApiTags('identity')
@Controller()
export class IdentityController {
  constructor(
    private readonly identity: IdentityService,
    @Inject(REGISTRY_CONFIG) private readonly config: RegistryConfig,
  ) {}

  @Public()
  @Get('auth/options')
  @ApiOperation({
    summary: 'How to sign in here',
    description: 'No authentication. Whether signup is open (ALLOW_SIGNUP), and whether the development auth bypass is on: then a request without a token acts as the seeded admin, and a client needs no login screen.',
  })
  @ApiAnswer(200, 'AuthOptions', 'The server\'s sign-in options.')
  options() {
    return { signup_allowed: this.config.ALLOW_SIGNUP, dev_auth_bypass: this.config.APP_ENV === 'development' && this.config.DEV_AUTH_BYPASS };
  }

  @Public()
  @UseGuards(SignupEnabledGuard)
  @Post('auth/signup')
  @ApiOperation({ summary: 'Sign up', description: 'Creates the user and a personal workspace they own; 403 when the server runs with ALLOW_SIGNUP=false.' })
  @ApiAnswer(201, 'SignupAnswer', 'The new user, with a personal workspace, and an access token.')
  @ApiErrors('forbidden', 'conflict')
  signup(@Body() body: SignupDto) {
    return this.identity.signup(body);
  }

  @Public()
  @Post('auth/login')
  @ApiOperation({ summary: 'Log in', description: 'The same 401 for an unknown email and a wrong password; 429 past 10 failures for an email (or 200 from an address) in 15 minutes.' })
  @ApiAnswer(200, 'LoginAnswer', 'An access token.')
  @ApiErrors('unauthorized', 'rate_limited')
  @HttpCode(200)
  login(@Body() body: LoginDto, @Ip() client: string | undefined) {
    // req.ip: the TCP peer, or with TRUST_PROXY set, the address the trusted proxies forwarded.
    return this.identity.login(body, client ?? 'unknown');
  }

  @ApiBearerAuth()
  @Get('me')
  @ApiOperation({ summary: 'Who am I', description: 'The user of the access token and their memberships.' })
  @ApiAnswer(200, 'Me', 'The user and their workspaces.')
  me(@CurrentUser() user: AuthenticatedUser) {
    return this.identity.me(user.id);
  }
}
