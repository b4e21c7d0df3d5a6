import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsInt, IsNotEmpty, IsString, IsUUID, Max, MaxLength, Min } from 'class-validator';
import { INT4_MAX, IsOmittable, Trimmed } from '../../common/validation.js';

const NOTE_MAX = 2000;

export class ApproveVersionDto {
  @ApiPropertyOptional({ example: 'Clearer tone, checked the refund wording', maxLength: NOTE_MAX, description: 'Becomes review_note.' })
  @IsOmittable() @Trimmed() @IsString() @MaxLength(NOTE_MAX)
  note?: string;

  @ApiPropertyOptional({ description: 'Approve despite a failing or missing evaluation or test run (admin and owner only); audited.' })
  @IsOmittable() @IsBoolean()
  override_eval?: boolean;
}

export class RejectVersionDto {
  @ApiProperty({ example: 'The refund policy changed last week; please update the amounts.', minLength: 1, maxLength: NOTE_MAX, description: 'Not blank.' })
  @Trimmed() @IsString() @IsNotEmpty({ message: 'note must not be blank' }) @MaxLength(NOTE_MAX)
  note: string;
}

export class RollbackDto {
  @ApiProperty({ example: 3, minimum: 1, maximum: INT4_MAX, description: 'The version whose content goes live again, as a new version.' })
  @IsInt() @Min(1) @Max(INT4_MAX)
  version_num: number;

  @ApiPropertyOptional({ example: 'v5 broke the persona', maxLength: NOTE_MAX })
  @IsOmittable() @Trimmed() @IsString() @MaxLength(NOTE_MAX)
  note?: string;
}

export class PromoteDto {
  @ApiProperty({ format: 'uuid' })
  @IsUUID('all')
  target_environment_id: string;
}
