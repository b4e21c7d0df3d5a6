import { registerDecorator, type ValidationArguments } from 'class-validator';
import { judgeModelProblem } from '#domain';

/**
 * The judge model name rule (libs/domain judgeModelProblem), read against the `provider` field
 * of the same object: Google's names may not hold a `/`, Groq's may.
 */
/** The object's provider when it is a string (its own validator refuses anything else). */
function providerOf(args: ValidationArguments): string {
  const provider = (args.object as { provider?: unknown }).provider;
  return typeof provider === 'string' ? provider : '';
}

export function IsJudgeModel() {
  return (target: object, propertyName: string) => {
    registerDecorator({
      name: 'isJudgeModel',
      target: target.constructor,
      propertyName,
      validator: {
        validate: (value: unknown, args: ValidationArguments) =>
          typeof value === 'string' && judgeModelProblem(providerOf(args), value) === null,
        defaultMessage: (args: ValidationArguments) =>
          typeof args.value === 'string'
            ? judgeModelProblem(providerOf(args), args.value) ?? 'model is invalid'
            : 'model must be a string',
      },
    });
  };
}
