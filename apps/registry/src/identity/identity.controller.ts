import { Body, Controller, Get, HttpCode, Post, UseGuards } from '@nestjs/common';
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
  login(@Body() body: LoginDto) {
    return this.identity.login(body);
  }

  @ApiBearerAuth()
  @Get('me')
  me(@CurrentUser() user: AuthenticatedUser) {
    return this.identity.me(user.id);
  }
}
