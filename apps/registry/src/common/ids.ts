import { Injectable, Param, type ArgumentMetadata, type PipeTransform } from '@nestjs/common';
import { ValidationError } from '#domain';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function isUuid(value: unknown): value is string {
  return typeof value === 'string' && UUID.test(value);
}

/** A path id that is not a UUID is `400 validation_failed` (an unknown one is the service's `404`). */
@Injectable()
export class ParseIdPipe implements PipeTransform<unknown, string> {
  transform(value: unknown, metadata: ArgumentMetadata): string {
    if (isUuid(value)) return value.toLowerCase();
    const field = metadata.data ?? 'id';
    throw new ValidationError(`${field} must be a UUID.`, [{ field, messages: [`${field} must be a UUID`] }]);
  }
}

/** `@IdParam('ws') workspaceId: string`: a path parameter that must be a UUID. */
export const IdParam = (name: string) => Param(name, ParseIdPipe);
