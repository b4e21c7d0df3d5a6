import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsString, IsUUID, MaxLength, MinLength, ValidateIf } from 'class-validator';
import { PROVIDERS, type Provider } from '#contracts';
import { IsOmittable } from '../../common/validation.js';

export class RequestTestRunDto {
  @ApiPropertyOptional({ enum: PROVIDERS, description: 'The provider that answers; defaults to the version\'s config.provider.' })
  @IsOmittable()
  @IsIn(PROVIDERS, { message: `provider must be one of ${PROVIDERS.join(', ')}` })
  provider?: Provider;

  @ApiPropertyOptional({
    example: 'gpt-4o-mini', minLength: 1, maxLength: 200, pattern: '^[A-Za-z0-9._:/-]{1,200}$',
    description: 'The model that answers; defaults to the version\'s config.model. No "..", and no "/" for google.',
  })
  @IsOmittable() @IsString() @MinLength(1) @MaxLength(200)
  model?: string;

  @ApiPropertyOptional({ minLength: 8, maxLength: 500, writeOnly: true, description: 'Used for this run only and never stored; else the workspace\'s saved key.' })
  @IsOmittable() @IsString() @MinLength(8) @MaxLength(500)
  api_key?: string;

  @ApiPropertyOptional({ type: String, format: 'uuid', nullable: true, description: 'A version of the same prompt; defaults to the prompt\'s live version, else none.' })
  @ValidateIf((_o: object, value: unknown) => value !== undefined && value !== null)
  @IsUUID('all')
  baseline_version_id?: string | null;
}

/** What a test run request asks for; the model is checked once the provider is known (it may come from the version). */
export interface TestRunRequest {
  provider: Provider | null;
  model: string | null;
  apiKey: string | null;
  baselineVersionId: string | null;
}

export function toTestRunRequest(dto: RequestTestRunDto): TestRunRequest {
  return { provider: dto.provider ?? null, model: dto.model ?? null, apiKey: dto.api_key ?? null, baselineVersionId: dto.baseline_version_id ?? null };
}
