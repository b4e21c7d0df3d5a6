import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsString, MaxLength, MinLength } from 'class-validator';
import { EMAIL_MAX_LENGTH, PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH } from '#domain';
import { IsOmittable, Trimmed } from '../../common/validation.js';
import { IsIdentityEmail } from './email.validator.js';

export class SignupDto {
  @ApiProperty({ example: 'ana@example.com', format: 'email', maxLength: EMAIL_MAX_LENGTH, description: 'Trimmed, NFKC-normalised and lower-cased; plain ASCII.' })
  @Trimmed() @IsString() @IsIdentityEmail()
  email: string;

  @ApiProperty({ minLength: PASSWORD_MIN_LENGTH, maxLength: PASSWORD_MAX_LENGTH, writeOnly: true })
  @IsString()
  @MinLength(PASSWORD_MIN_LENGTH, { message: `password must be at least ${PASSWORD_MIN_LENGTH} characters` })
  @MaxLength(PASSWORD_MAX_LENGTH)
  password: string;

  @ApiPropertyOptional({ example: 'Ana Lima', minLength: 1, maxLength: 200 })
  @IsOmittable() @Trimmed() @IsString() @MinLength(1) @MaxLength(200)
  name?: string;
}
