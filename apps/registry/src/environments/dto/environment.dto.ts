import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsBoolean, IsIn, IsInt, IsNumber, IsObject, IsString, Matches, Max, Min, ValidateIf, ValidateNested } from 'class-validator';
import type { ProviderName } from '#persistence';
import { IsOmittable } from '../../common/validation.js';
import { IsJudgeModel } from '../../evals/dto/judge-model.validator.js';

export const JUDGE_PROVIDERS: readonly ProviderName[] = ['anthropic', 'openai', 'google', 'groq', 'mistral'];
export const ENVIRONMENT_NAME = /^[a-z0-9][a-z0-9_-]{0,62}$/;

/** Absent leaves the value as is; `null` clears it. */
const IsNullable = () => ValidateIf((_object: object, value: unknown) => value !== undefined && value !== null);

export class CreateEnvironmentDto {
  @ApiProperty({ example: 'qa', pattern: ENVIRONMENT_NAME.source, minLength: 1, maxLength: 63 })
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
    type: String, nullable: true, example: 'claude-sonnet-4-5', minLength: 1, maxLength: 200, pattern: '^[A-Za-z0-9._:/-]{1,200}$', description: 'No "..", and no "/" for google.',
  })
  @IsNullable() @IsString() @IsJudgeModel()
  model?: string | null;
}

export class UpdateEnvironmentDto {
  @ApiPropertyOptional({ description: 'Protected environments refuse quick-approve.' }) @IsOmittable() @IsBoolean()
  is_protected?: boolean;

  @ApiPropertyOptional({ description: 'The approver must be someone other than the proposer.' }) @IsOmittable() @IsBoolean()
  require_review?: boolean;

  @ApiPropertyOptional({ description: 'Approval needs a succeeded evaluation scoring at least eval_pass_threshold.' }) @IsOmittable() @IsBoolean()
  eval_required?: boolean;

  @ApiPropertyOptional({ minimum: 0, maximum: 10 })
  @IsOmittable() @IsNumber({ allowNaN: false, allowInfinity: false }) @Min(0) @Max(10)
  eval_pass_threshold?: number;

  @ApiPropertyOptional({ description: 'Approval needs a succeeded test run of the version against the live version, every case passed and at most max_regressions regressions.' })
  @IsOmittable() @IsBoolean()
  tests_required?: boolean;

  @ApiPropertyOptional({ type: 'integer', minimum: 0, maximum: 1000, description: 'How many regressed verdicts the test gate lets through.' })
  @IsOmittable() @IsInt() @Min(0) @Max(1000)
  max_regressions?: number;

  @ApiPropertyOptional({ type: JudgeDto, nullable: true, description: 'null removes the judge.' })
  @IsNullable() @IsObject() @ValidateNested() @Type(() => JudgeDto)
  judge?: JudgeDto | null;
}
