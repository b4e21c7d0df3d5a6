import { ValidateBy, type ValidationOptions } from 'class-validator';
import { checkEmail } from '#domain';

/**
 * The registry's email rule (libs/domain checkEmail: NFKC, lower case, ASCII only, no quoted local
 * part) as a DTO constraint, so a refused address is `400 validation_failed` naming the field.
 */
export function IsIdentityEmail(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy({
    name: 'isIdentityEmail',
    validator: {
      validate: (value: unknown) => typeof value === 'string' && checkEmail(value).ok,
      defaultMessage: (args) => {
        const value: unknown = args?.value;
        if (typeof value !== 'string') return 'email must be a string';
        const check = checkEmail(value);
        return check.ok ? '' : check.message;
      },
    },
  }, options);
}
