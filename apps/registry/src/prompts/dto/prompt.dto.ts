import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsString, MaxLength, MinLength } from 'class-validator';
import { PROMPT_KEY_PATTERN } from '#domain';
import { IsOmittable } from '../../common/validation.js';

/** The key's format is checked by the service (checkPromptKey), which every caller goes through. */
export class CreatePromptDto {
  @ApiProperty({ example: 'support.greeting', pattern: PROMPT_KEY_PATTERN.source })
  @IsString()
  key: string;

  @ApiProperty({ example: 'You are a friendly support agent for {{product}}.' })
  @IsString() @MinLength(1)
  content: string;

  @ApiPropertyOptional({ example: 'First message of the support bot' })
  @IsOmittable() @IsString() @MaxLength(2000)
  description?: string;

  @ApiPropertyOptional({ example: 'First version' })
  @IsOmittable() @IsString() @MaxLength(2000)
  commit_message?: string;
}

export class ProposeVersionDto {
  @ApiProperty({ example: 'You are a concise support agent for {{product}}.' })
  @IsString() @MinLength(1)
  content: string;

  @ApiPropertyOptional({ example: 'Shorter answers' })
  @IsOmittable() @IsString() @MaxLength(2000)
  commit_message?: string;
}
