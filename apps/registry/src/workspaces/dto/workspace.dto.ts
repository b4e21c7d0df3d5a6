import { ApiProperty } from '@nestjs/swagger';
import { IsIn, IsString, MaxLength, MinLength } from 'class-validator';
import { EMAIL_MAX_LENGTH, ROLES, type Role } from '#domain';
import { Trimmed } from '../../common/validation.js';
import { IsIdentityEmail } from '../../identity/dto/email.validator.js';

export class CreateWorkspaceDto {
  @ApiProperty({ example: 'Support bots', minLength: 1, maxLength: 200 })
  @Trimmed() @IsString() @MinLength(1) @MaxLength(200)
  name: string;
}

export class AddMemberDto {
  @ApiProperty({ example: 'bruno@example.com', format: 'email', maxLength: EMAIL_MAX_LENGTH, description: 'Of an account that exists.' })
  @Trimmed() @IsString() @IsIdentityEmail()
  email: string;

  @ApiProperty({ enum: ROLES })
  @IsIn(ROLES, { message: `role must be one of ${ROLES.join(', ')}` })
  role: Role;
}

export class ChangeMemberRoleDto {
  @ApiProperty({ enum: ROLES })
  @IsIn(ROLES, { message: `role must be one of ${ROLES.join(', ')}` })
  role: Role;
}
