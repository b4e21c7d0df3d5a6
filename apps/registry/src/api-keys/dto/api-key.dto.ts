import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsInt, IsString, Max, MaxLength, Min, MinLength } from 'class-validator';
import { DEFAULT_RATE_LIMIT_RPM, MAX_RATE_LIMIT_RPM, MIN_RATE_LIMIT_RPM } from '#domain';
import { IsOmittable, Trimmed } from '../../common/validation.js';

export class CreateApiKeyDto {
  @ApiProperty({ example: 'checkout-service', minLength: 1, maxLength: 200 })
  @Trimmed() @IsString() @MinLength(1) @MaxLength(200)
  name: string;

  @ApiPropertyOptional({ minimum: MIN_RATE_LIMIT_RPM, maximum: MAX_RATE_LIMIT_RPM, default: DEFAULT_RATE_LIMIT_RPM })
  @IsOmittable() @IsInt() @Min(MIN_RATE_LIMIT_RPM) @Max(MAX_RATE_LIMIT_RPM)
  rate_limit_rpm?: number;
}
