import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsEmail, IsISO8601, IsString, Length, Matches } from 'class-validator';
import { IsOmittable, Trimmed } from '../../common/validation.js';

/** A signed year (`-4714-01-01`) passes IsISO8601 but Date reads it as a positive one: refused. */
const YEAR_FIRST = /^(?!0000)\d{4}-/;

/** Filters of GET /workspaces/:ws/audit; limit and cursor are read by the pagination decorator. */
export class AuditQueryDto {
  @ApiPropertyOptional({ example: 'version.approved', pattern: '^[a-z_]+\\.[a-z_]+$' })
  @IsOmittable() @IsString() @Matches(/^[a-z_]+\.[a-z_]+$/, { message: 'action must look like version.approved' })
  action?: string;

  @ApiPropertyOptional({ description: 'the id of the thing changed', minLength: 1, maxLength: 200 })
  @IsOmittable() @IsString() @Length(1, 200)
  resource_id?: string;

  @ApiPropertyOptional({ description: 'actor email', format: 'email' })
  @IsOmittable() @Trimmed() @IsEmail()
  actor?: string;

  @ApiPropertyOptional({ description: 'ISO-8601, inclusive', pattern: YEAR_FIRST.source, example: '2026-01-07T14:23:00Z' })
  @IsOmittable() @IsISO8601({ strict: true }) @Matches(YEAR_FIRST, { message: 'from must start with a four-digit year (0001-9999)' })
  from?: string;

  @ApiPropertyOptional({ description: 'ISO-8601, exclusive', pattern: YEAR_FIRST.source, example: '2026-01-08T00:00:00Z' })
  @IsOmittable() @IsISO8601({ strict: true }) @Matches(YEAR_FIRST, { message: 'to must start with a four-digit year (0001-9999)' })
  to?: string;

  // Read by @Pagination(); declared so the whitelist accepts them.
  @IsOmittable() @IsString() limit?: string;
  @IsOmittable() @IsString() cursor?: string;
}
