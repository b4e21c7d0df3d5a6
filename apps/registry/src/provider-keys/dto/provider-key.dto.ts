import { Injectable, Param, type PipeTransform } from '@nestjs/common';
import { ApiProperty } from '@nestjs/swagger';
import { IsString, Matches, MaxLength, MinLength } from 'class-validator';
import { PROVIDERS, type Provider } from '#contracts';
import { ValidationError } from '#domain';

export class SaveProviderKeyDto {
  @ApiProperty({ minLength: 8, maxLength: 500, pattern: '^[!-~]+$', writeOnly: true, description: 'Printable ASCII without spaces, as every provider key is; sealed at rest, never returned.' })
  // Printable ASCII only, so last4 can never cut a character (or a surrogate pair) in two.
  @IsString() @MinLength(8) @MaxLength(500) @Matches(/^[!-~]+$/, { message: 'api_key must be printable ASCII without spaces' })
  api_key: string;
}

/** A provider in a path: one of PROVIDERS, else `400 validation_failed`. */
@Injectable()
export class ParseProviderPipe implements PipeTransform<unknown, Provider> {
  transform(value: unknown): Provider {
    if (typeof value === 'string' && (PROVIDERS as readonly string[]).includes(value)) return value as Provider;
    throw new ValidationError(`provider must be one of ${PROVIDERS.join(', ')}.`, [
      { field: 'provider', messages: [`provider must be one of ${PROVIDERS.join(', ')}`] },
    ]);
  }
}

/** `@ProviderParam() provider: Provider`. */
export const ProviderParam = () => Param('provider', ParseProviderPipe);
