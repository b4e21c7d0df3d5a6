import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsEmail, IsISO8601, IsString, Length, Matches } from 'class-validator';
import { IsOmittable, Trimmed } from '../../common/validation.js';

/** Filters of GET /workspaces/:ws/audit; limit and cursor are read by the pagination decorator. */
export class AuditQueryDto {
  @ApiPropertyOptional({ example: 'version.approved' })
  @IsOmittable() @IsString() @Matches(/^[a-z_]+\.[a-z_]+$/, { message: 'action must look like version.approved' })
  action?: string;

  @ApiPropertyOptional({ description: 'the id of the thing changed' })
  @IsOmittable() @IsString() @Length(1, 200)
  resource_id?: string;

  @ApiPropertyOptional({ description: 'actor email' })
  @IsOmittable() @Trimmed() @IsEmail()
  actor?: string;

  @ApiPropertyOptional({ description: 'ISO-8601, inclusive' })
  @IsOmittable() @IsISO8601({ strict: true })
  from?: string;

  @ApiPropertyOptional({ description: 'ISO-8601, exclusive' })
  @IsOmittable() @IsISO8601({ strict: true })
  to?: string;

  // Read by @Pagination(); declared so the whitelist accepts them.
  @IsOmittable() @IsString() limit?: string;
  @IsOmittable() @IsString() cursor?: string;
}
