import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsString, MaxLength, MinLength, ValidateIf } from 'class-validator';
import { PROMPT_CONTENT_MAX_BYTES, PROMPT_KEY_PATTERN } from '#domain';

/** Absent or null both mean "none" for an optional text. */
const IsNullable = () => ValidateIf((_object: object, value: unknown) => value !== undefined && value !== null);

/** Bytes, not characters, so the DTO says it and the service (checkContentSize) counts them. */
const CONTENT_LIMIT = `At most ${PROMPT_CONTENT_MAX_BYTES} bytes of UTF-8 (256 KiB); more is 400 validation_failed.`;

/** The key's format is checked by the service (checkPromptKey), which every caller goes through. */
export class CreatePromptDto {
  @ApiProperty({ example: 'support.greeting', pattern: PROMPT_KEY_PATTERN.source })
  @IsString()
  key: string;

  @ApiProperty({ example: 'You are a friendly support agent for {{product}}.', description: CONTENT_LIMIT })
  @IsString() @MinLength(1)
  content: string;

  @ApiPropertyOptional({ example: 'First message of the support bot', nullable: true })
  @IsNullable() @IsString() @MaxLength(2000)
  description?: string | null;

  @ApiPropertyOptional({ example: 'First version', nullable: true })
  @IsNullable() @IsString() @MaxLength(2000)
  commit_message?: string | null;
}

export class ProposeVersionDto {
  @ApiProperty({ example: 'You are a concise support agent for {{product}}.', description: CONTENT_LIMIT })
  @IsString() @MinLength(1)
  content: string;

  @ApiPropertyOptional({ example: 'Shorter answers', nullable: true })
  @IsNullable() @IsString() @MaxLength(2000)
  commit_message?: string | null;
}
