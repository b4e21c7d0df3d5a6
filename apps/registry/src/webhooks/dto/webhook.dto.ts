import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsIn, IsString, MaxLength, MinLength } from 'class-validator';
import { WEBHOOK_EVENTS, type WebhookEventType } from '#contracts';
import { IsOmittable, Trimmed } from '../../common/validation.js';

export class CreateWebhookDto {
  @ApiPropertyOptional({ example: 'CI notifications', minLength: 1, maxLength: 200, description: 'What people call the subscription; optional.' })
  @IsOmittable() @Trimmed() @IsString() @MinLength(1) @MaxLength(200)
  name?: string;

  @ApiProperty({ example: 'https://ci.example.com/hooks/promptgate', minLength: 1, maxLength: 2048, description: 'An absolute http(s) URL to an address the SSRF guard allows.' })
  @Trimmed() @IsString() @MinLength(1) @MaxLength(2048)
  url: string;

  @ApiProperty({ enum: WEBHOOK_EVENTS, isArray: true, example: ['version.approved'], minItems: 1, maxItems: WEBHOOK_EVENTS.length * 4 })
  @IsArray() @ArrayMinSize(1) @ArrayMaxSize(WEBHOOK_EVENTS.length * 4) @IsIn(WEBHOOK_EVENTS, { each: true })
  events: WebhookEventType[];
}
