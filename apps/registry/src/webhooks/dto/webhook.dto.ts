import { ApiProperty } from '@nestjs/swagger';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsIn, IsString, MaxLength, MinLength } from 'class-validator';
import { WEBHOOK_EVENTS, type WebhookEventType } from '#contracts';
import { Trimmed } from '../../common/validation.js';

export class CreateWebhookDto {
  @ApiProperty({ example: 'https://ci.example.com/hooks/promptgate', maxLength: 2048 })
  @Trimmed() @IsString() @MinLength(1) @MaxLength(2048)
  url: string;

  @ApiProperty({ enum: WEBHOOK_EVENTS, isArray: true, example: ['version.approved'] })
  @IsArray() @ArrayMinSize(1) @ArrayMaxSize(WEBHOOK_EVENTS.length * 4) @IsIn(WEBHOOK_EVENTS, { each: true })
  events: WebhookEventType[];
}
