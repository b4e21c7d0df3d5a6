import { ApiProperty, ApiPropertyOptional, type ApiPropertyOptions, type SchemaObject } from '@nestjs/swagger';
import { Allow, IsString, MaxLength, ValidateIf } from 'class-validator';
import { MAX_CONFIG_BYTES, MAX_MESSAGES, PROMPT_CONTENT_MAX_BYTES, PROMPT_KEY_PATTERN } from '#domain';

const TEXT_MAX = 2000;

/** Absent or null both mean "none" for an optional text. */
const IsNullable = () => ValidateIf((_object: object, value: unknown) => value !== undefined && value !== null);

/** Bytes, not characters, so the DTO says it and the service (checkContentSize) counts them. */
const CONTENT_LIMIT = `At most ${PROMPT_CONTENT_MAX_BYTES} bytes of UTF-8 (256 KiB); more is 400 validation_failed.`;

const MESSAGE_SCHEMA: SchemaObject = {
  oneOf: [
    {
      type: 'object', required: ['role', 'content'], additionalProperties: false,
      properties: { role: { type: 'string', enum: ['system', 'user', 'assistant'] }, content: { type: 'string', maxLength: PROMPT_CONTENT_MAX_BYTES } },
    },
    {
      type: 'object', required: ['role', 'name'], additionalProperties: false,
      properties: { role: { type: 'string', enum: ['placeholder'] }, name: { type: 'string', pattern: '^[A-Za-z0-9_]+$' } },
    },
  ],
};
const MESSAGES: ApiPropertyOptions = {
  type: 'array', items: MESSAGE_SCHEMA, minItems: 1, maxItems: MAX_MESSAGES,
  example: [{ role: 'system', content: 'You are a support agent for {{product}}.' }, { role: 'placeholder', name: 'history' }, { role: 'user', content: '{{question}}' }],
  description: 'A chat prompt\'s messages (exactly one of content and messages, the one of the prompt\'s type). A placeholder {role: "placeholder", name} is filled with messages at serve time; names are unique.',
};
const CONFIG = {
  type: 'object', additionalProperties: true, example: { model: 'gpt-4o-mini', temperature: 0.2 },
  description: `The model settings the version is reviewed with: at most ${MAX_CONFIG_BYTES} bytes as compact JSON, nested at most 5 deep. provider (anthropic, openai, google, groq, mistral), model (1-200 characters), temperature (0-2), top_p (0-1), max_tokens (1-1000000) and stop (up to 8 strings) are checked; other keys are kept.`,
} as const;

/**
 * The key's format, the body (content or messages, by type) and the config are checked by the
 * service (libs/domain readPromptBody, readModelConfig), which every caller goes through: the
 * DTO only declares the fields, so the whitelist takes them.
 */
export class CreatePromptDto {
  @ApiProperty({ example: 'support.greeting', pattern: PROMPT_KEY_PATTERN.source, minLength: 1, maxLength: 200, description: 'Unique per environment, never renamed.' })
  @IsString()
  key: string;

  @ApiPropertyOptional({ enum: ['text', 'chat'], default: 'text', description: 'Fixed at creation: a text prompt holds content, a chat prompt messages.' })
  @Allow()
  type?: unknown;

  @ApiPropertyOptional({ type: String, example: 'You are a friendly support agent for {{product}}.', description: `A text prompt's content. ${CONTENT_LIMIT}`, minLength: 1, maxLength: PROMPT_CONTENT_MAX_BYTES })
  @Allow()
  content?: unknown;

  @ApiPropertyOptional(MESSAGES)
  @Allow()
  messages?: unknown;

  @ApiPropertyOptional(CONFIG)
  @Allow()
  config?: unknown;

  @ApiPropertyOptional({ type: String, example: 'First message of the support bot', nullable: true, maxLength: TEXT_MAX })
  @IsNullable() @IsString() @MaxLength(TEXT_MAX)
  description?: string | null;

  @ApiPropertyOptional({ type: String, example: 'First version', nullable: true, maxLength: TEXT_MAX })
  @IsNullable() @IsString() @MaxLength(TEXT_MAX)
  commit_message?: string | null;
}

export class ProposeVersionDto {
  @ApiPropertyOptional({ type: String, example: 'You are a concise support agent for {{product}}.', description: `A text prompt's content. ${CONTENT_LIMIT}`, minLength: 1, maxLength: PROMPT_CONTENT_MAX_BYTES })
  @Allow()
  content?: unknown;

  @ApiPropertyOptional(MESSAGES)
  @Allow()
  messages?: unknown;

  @ApiPropertyOptional({ ...CONFIG, description: `${CONFIG.description} Without it, the base version's config is carried over; {} clears it; null is refused.` })
  @Allow()
  config?: unknown;

  @ApiPropertyOptional({ type: String, example: 'Shorter answers', nullable: true, maxLength: TEXT_MAX })
  @IsNullable() @IsString() @MaxLength(TEXT_MAX)
  commit_message?: string | null;
}
