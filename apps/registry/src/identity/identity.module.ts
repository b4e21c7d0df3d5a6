import { createSecretKey } from 'node:crypto';
import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { JwtModule } from '@nestjs/jwt';
import { REGISTRY_CONFIG, type RegistryConfig } from '../common/config.js';
import { AuthGuard, SignupEnabledGuard } from './auth.guard.js';
import { IdentityController } from './identity.controller.js';
import { IdentityService } from './identity.service.js';
import { LoginAttempts } from './login-attempts.js';
import { UsersRepository } from './users.repository.js';

@Module({
  imports: [
    JwtModule.registerAsync({
      inject: [REGISTRY_CONFIG],
      useFactory: (config: RegistryConfig) => {
        // The key object jsonwebtoken would make from the string on every call, after first failing to read it as a public key.
        const key = createSecretKey(Buffer.from(config.JWT_SECRET));
        return {
          secretOrKeyProvider: () => key,
          signOptions: { algorithm: 'HS256' as const, expiresIn: config.JWT_TTL_SECONDS },
          verifyOptions: { algorithms: ['HS256'] },
        };
      },
    }),
  ],
  controllers: [IdentityController],
  providers: [IdentityService, UsersRepository, LoginAttempts, SignupEnabledGuard, { provide: APP_GUARD, useClass: AuthGuard }],
})
export class IdentityModule {}
