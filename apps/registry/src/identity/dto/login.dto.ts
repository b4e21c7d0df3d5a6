import { ApiProperty } from '@nestjs/swagger';
import { IsString, MaxLength } from 'class-validator';
import { PASSWORD_MAX_LENGTH } from '#domain';
import { Trimmed } from '../../common/validation.js';

export class LoginDto {
  @ApiProperty({ example: 'ana@example.com', maxLength: 320 })
  @Trimmed() @IsString() @MaxLength(320)
  email: string;

  @ApiProperty({ maxLength: PASSWORD_MAX_LENGTH, writeOnly: true })
  @IsString() @MaxLength(PASSWORD_MAX_LENGTH)
  password: string;
}
