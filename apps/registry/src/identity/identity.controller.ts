import { Body, Controller, Get, HttpCode, Ip, Post, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { SignupEnabledGuard } from './auth.guard.js';
import { CurrentUser, type AuthenticatedUser } from './current-user.decorator.js';
import { LoginDto } from './dto/login.dto.js';
import { SignupDto } from './dto/signup.dto.js';
import { IdentityService } from './identity.service.js';
import { Public } from './public.decorator.js';

@ApiTags('identity')
@Controller()
export class IdentityController {
  constructor(private readonly identity: IdentityService) {}

  @Public()
  @UseGuards(SignupEnabledGuard)
  @Post('auth/signup')
  signup(@Body() body: SignupDto) {
    return this.identity.signup(body);
  }

  @Public()
  @Post('auth/login')
  @HttpCode(200)
  login(@Body() body: LoginDto, @Ip() client: string | undefined) {
    // req.ip: the TCP peer, or with TRUST_PROXY set, the address the trusted proxies forwarded.
    return this.identity.login(body, client ?? 'unknown');
  }

  @ApiBearerAuth()
  @Get('me')
  me(@CurrentUser() user: AuthenticatedUser) {
    return this.identity.me(user.id);
  }
}
