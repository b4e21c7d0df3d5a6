import { ApiProperty, ApiPropertyOptional, type SchemaObject } from '@nestjs/swagger';
import { Allow } from 'class-validator';
import {
  ASSERTION_TEXT_MAX_CHARS, ASSERTION_TYPES, MAX_ASSERTIONS_PER_CASE, MAX_CHARS_LIMIT, TEST_CASE_INPUT_MAX_BYTES, TEST_CASE_NAME_MAX_CHARS,
} from '#domain';

const NAME = { type: String, minLength: 1, maxLength: TEST_CASE_NAME_MAX_CHARS, example: 'refund request', description: 'Trimmed; unique per prompt (409 conflict).' };
const VARIABLES = {
  type: 'object', additionalProperties: { type: 'string' }, example: { customer: 'Ada' },
  description: 'Values of the prompt\'s variables; names are letters, digits and _. Default {}.',
} as const;
const INPUT = {
  type: String, nullable: true, maxLength: TEST_CASE_INPUT_MAX_BYTES, example: 'Where is my refund?',
  description: 'The user message sent after the rendered prompt; null sends none. At most 256 KiB of UTF-8. Default null.',
};
const FILL_MESSAGE: SchemaObject = {
  type: 'object', required: ['role', 'content'], additionalProperties: false,
  properties: { role: { type: 'string', enum: ['system', 'user', 'assistant'] }, content: { type: 'string' } },
};
const PLACEHOLDERS = {
  type: 'object', additionalProperties: { type: 'array', items: FILL_MESSAGE }, example: { history: [{ role: 'user', content: 'Hi' }] },
  description: 'Message lists filling a chat prompt\'s placeholders, by name. Default {}.',
} as const;
const ASSERTION: SchemaObject = {
  type: 'object', required: ['type'], additionalProperties: false,
  properties: {
    type: { type: 'string', enum: [...ASSERTION_TYPES] },
    value: {
      oneOf: [{ type: 'string', maxLength: ASSERTION_TEXT_MAX_CHARS }, { type: 'integer', minimum: 1, maximum: MAX_CHARS_LIMIT }],
      description: 'contains/not_contains: the text; regex: an RE2 pattern; max_chars: an integer; judge: a criterion in plain words; is_json: absent or null',
    },
  },
};
const ASSERTIONS = {
  type: 'array', items: ASSERTION, maxItems: MAX_ASSERTIONS_PER_CASE,
  example: [{ type: 'contains', value: 'refund' }, { type: 'judge', value: 'addresses the customer formally' }],
  description: 'What a good answer satisfies; an invalid regex is 400. Default [].',
} as const;

/**
 * The fields of a test case body, declared so the whitelist takes them; libs/domain readTestCaseInput
 * checks them (and names the field at fault, such as assertions[2].value).
 */
export class CreateTestCaseDto {
  @ApiProperty(NAME) @Allow() name: unknown;
  @ApiPropertyOptional(VARIABLES) @Allow() variables?: unknown;
  @ApiPropertyOptional(INPUT) @Allow() input?: unknown;
  @ApiPropertyOptional(PLACEHOLDERS) @Allow() placeholders?: unknown;
  @ApiPropertyOptional(ASSERTIONS) @Allow() assertions?: unknown;
}

/** As CreateTestCaseDto, every field optional: only those present change. */
export class UpdateTestCaseDto {
  @ApiPropertyOptional(NAME) @Allow() name?: unknown;
  @ApiPropertyOptional(VARIABLES) @Allow() variables?: unknown;
  @ApiPropertyOptional(INPUT) @Allow() input?: unknown;
  @ApiPropertyOptional(PLACEHOLDERS) @Allow() placeholders?: unknown;
  @ApiPropertyOptional(ASSERTIONS) @Allow() assertions?: unknown;
}
