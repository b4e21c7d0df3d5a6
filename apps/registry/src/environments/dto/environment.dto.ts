import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsBoolean, IsIn, IsNumber, IsObject, IsString, Matches, Max, Min, ValidateIf, ValidateNested } from 'class-validator';
import type { ProviderName } from '#persistence';
import { IsOmittable } from '../../common/validation.js';
import { IsJudgeModel } from '../../evals/dto/judge-model.validator.js';

export const JUDGE_PROVIDERS: readonly ProviderName[] = ['anthropic', 'openai', 'google', 'groq', 'mistral'];
export const ENVIRONMENT_NAME = /^[a-z0-9][a-z0-9_-]{0,62}$/;

/** Absent leaves the value as is; `null` clears it. */
const IsNullable = () => ValidateIf((_object: object, value: unknown) => value !== undefined && value !== null);

export class CreateEnvironmentDto {
  @ApiProperty({ example: 'qa', pattern: ENVIRONMENT_NAME.source })
  @IsString() @Matches(ENVIRONMENT_NAME, { message: 'name must be 1-63 of a-z 0-9 _ -, starting with a letter or digit' })
  name: string;

  @ApiPropertyOptional({ default: false })
  @IsOmittable() @IsBoolean()
  is_protected?: boolean;
}

export class JudgeDto {
  @ApiProperty({ enum: JUDGE_PROVIDERS })
  @IsIn(JUDGE_PROVIDERS, { message: `provider must be one of ${JUDGE_PROVIDERS.join(', ')}` })
  provider: ProviderName;

  @ApiPropertyOptional({
    nullable: true, example: 'claude-sonnet-4-5', maxLength: 200, pattern: '^[A-Za-z0-9._:/-]{1,200}$', description: 'No "..", and no "/" for google.',
  })
  @IsNullable() @IsString() @IsJudgeModel()
  model?: string | null;
}

export class UpdateEnvironmentDto {
  @ApiPropertyOptional() @IsOmittable() @IsBoolean()
  is_protected?: boolean;

  @ApiPropertyOptional() @IsOmittable() @IsBoolean()
  require_review?: boolean;

  @ApiPropertyOptional() @IsOmittable() @IsBoolean()
  eval_required?: boolean;

  @ApiPropertyOptional({ minimum: 0, maximum: 10 })
  @IsOmittable() @IsNumber({ allowNaN: false, allowInfinity: false }) @Min(0) @Max(10)
  eval_pass_threshold?: number;

  @ApiPropertyOptional({ type: JudgeDto, nullable: true })
  @IsNullable() @IsObject() @ValidateNested() @Type(() => JudgeDto)
  judge?: JudgeDto | null;
}
