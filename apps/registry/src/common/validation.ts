import { Injectable, ValidationPipe, type ArgumentMetadata } from '@nestjs/common';
import { Transform } from 'class-transformer';
import { ValidateIf, type ValidationError as ClassValidatorError } from 'class-validator';
import { ValidationError } from '#domain';
import { findInputProblem, inputProblemError } from './input-guard.js';

/** The largest value a PostgreSQL `integer` (int4) column holds: the bound of every integer field stored in one. */
export const INT4_MAX = 2_147_483_647;

export interface FieldProblem {
  field: string;
  messages: string[];
}

function fieldProblems(errors: ClassValidatorError[], parent = ''): FieldProblem[] {
  return errors.flatMap((e) => {
    const field = parent ? `${parent}.${e.property}` : e.property;
    const own = e.constraints ? [{ field, messages: Object.values(e.constraints) }] : [];
    return [...own, ...fieldProblems(e.children ?? [], field)];
  });
}

/**
 * Validates DTOs with unknown fields refused (no mass assignment) and failures raised as
 * `400 validation_failed` whose details list each field. A body that is not a JSON object is
 * refused here too, and a missing body validates as `{}` so the required fields are named. Path
 * parameters get the checks refuseUnsafeInput gives bodies and queries (no NUL, no lone surrogates).
 */
@Injectable()
export class RequestValidationPipe extends ValidationPipe {
  constructor() {
    super({
      whitelist: true,
      forbidNonWhitelisted: true,
      transform: true,
      exceptionFactory: (errors: ClassValidatorError[]) => {
        const details = fieldProblems(errors);
        const fields = [...new Set(details.map((d) => d.field))].join(', ');
        return new ValidationError(`The request is invalid: ${fields}.`, details);
      },
    });
  }

  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    if (metadata.type === 'param') {
      const problem = findInputProblem(value, metadata.data ?? 'path');
      if (problem) throw inputProblemError(problem);
    }
    if (metadata.type === 'body' && metadata.metatype && metadata.metatype !== Object) {
      if (value === undefined) value = {};
      else if (typeof value !== 'object' || value === null || Array.isArray(value)) {
        throw new ValidationError('The request body must be a JSON object.');
      }
    }
    return super.transform(value, metadata);
  }
}

/**
 * Like @IsOptional() but only for an absent field: an explicit `null` is still validated (and
 * refused by the other rules), so it can never reach a NOT NULL column.
 */
export const IsOmittable = () => ValidateIf((_object: object, value: unknown) => value !== undefined);

/** Trims a string field before validation. */
export const Trimmed = () => Transform(({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value));
