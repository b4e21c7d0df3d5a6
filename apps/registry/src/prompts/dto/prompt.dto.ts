import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsString, MaxLength, MinLength, ValidateIf } from 'class-validator';
import { PROMPT_CONTENT_MAX_BYTES, PROMPT_KEY_PATTERN } from '#domain';

const TEXT_MAX = 2000;

/** Absent or null both mean "none" for an optional text. */
const IsNullable = () => ValidateIf((_object: object, value: unknown) => value !== undefined && value !== null);

/** Bytes, not characters, so the DTO says it and the service (checkContentSize) counts them. */
const CONTENT_LIMIT = `At most ${PROMPT_CONTENT_MAX_BYTES} bytes of UTF-8 (256 KiB); more is 400 validation_failed.`;

/** The key's format is checked by the service (checkPromptKey), which every caller goes through. */
export class CreatePromptDto {
  @ApiProperty({ example: 'support.greeting', pattern: PROMPT_KEY_PATTERN.source, minLength: 1, maxLength: 200, description: 'Unique per environment, never renamed.' })
  @IsString()
  key: string;

  @ApiProperty({ example: 'You are a friendly support agent for {{product}}.', description: CONTENT_LIMIT, minLength: 1, maxLength: PROMPT_CONTENT_MAX_BYTES })
  @IsString() @MinLength(1)
  content: string;

  @ApiPropertyOptional({ type: String, example: 'First message of the support bot', nullable: true, maxLength: TEXT_MAX })
  @IsNullable() @IsString() @MaxLength(TEXT_MAX)
  description?: string | null;

  @ApiPropertyOptional({ type: String, example: 'First version', nullable: true, maxLength: TEXT_MAX })
  @IsNullable() @IsString() @MaxLength(TEXT_MAX)
  commit_message?: string | null;
}

export class ProposeVersionDto {
  @ApiProperty({ example: 'You are a concise support agent for {{product}}.', description: CONTENT_LIMIT, minLength: 1, maxLength: PROMPT_CONTENT_MAX_BYTES })
  @IsString() @MinLength(1)
  content: string;

  @ApiPropertyOptional({ type: String, example: 'Shorter answers', nullable: true, maxLength: TEXT_MAX })
  @IsNullable() @IsString() @MaxLength(TEXT_MAX)
  commit_message?: string | null;
}
