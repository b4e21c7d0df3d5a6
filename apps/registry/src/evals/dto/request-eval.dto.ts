import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsString, MaxLength, MinLength, ValidateIf } from 'class-validator';
import { PROVIDERS, type Provider } from '#contracts';
import { ValidationError } from '#domain';
import { IsOmittable } from '../../common/validation.js';
import { IsJudgeModel } from './judge-model.validator.js';

const MODES = ['rules', 'judge'] as const;

export class RequestEvalDto {
  @ApiProperty({ enum: MODES })
  @IsIn(MODES, { message: `mode must be one of ${MODES.join(', ')}` })
  mode: (typeof MODES)[number];

  @ApiPropertyOptional({ enum: PROVIDERS, description: 'Required for a judge eval; not allowed for a rules eval.' })
  @ValidateIf((o: RequestEvalDto) => o.mode === 'judge' || o.provider !== undefined)
  @IsIn(PROVIDERS, { message: `provider must be one of ${PROVIDERS.join(', ')}` })
  provider?: Provider;

  @ApiPropertyOptional({
    type: String, nullable: true, example: 'claude-sonnet-4-5', minLength: 1, maxLength: 200, pattern: '^[A-Za-z0-9._:/-]{1,200}$',
    description: 'Judge only; defaults to the environment judge\'s model. No "..", and no "/" for google.',
  })
  @ValidateIf((_o: object, value: unknown) => value !== undefined && value !== null)
  @IsString() @IsJudgeModel()
  model?: string | null;

  @ApiPropertyOptional({ minLength: 8, maxLength: 500, writeOnly: true, description: 'Judge only; used for this run and never stored.' })
  @IsOmittable() @IsString() @MinLength(8) @MaxLength(500)
  api_key?: string;
}

/** What an eval request asks for, once its fields are known to fit its mode. */
export type EvalRequest =
  | { mode: 'rules' }
  | { mode: 'judge'; provider: Provider; model: string | null; apiKey: string | null };

export function toEvalRequest(dto: RequestEvalDto): EvalRequest {
  if (dto.mode === 'judge') return { mode: 'judge', provider: dto.provider as Provider, model: dto.model ?? null, apiKey: dto.api_key ?? null };
  const judgeOnly = (['provider', 'model', 'api_key'] as const).filter((f) => dto[f] !== undefined);
  if (judgeOnly.length > 0) {
    throw new ValidationError(`A rules eval takes no ${judgeOnly.join(', ')}.`,
      judgeOnly.map((field) => ({ field, messages: [`${field} is only for mode judge`] })));
  }
  return { mode: 'rules' };
}
