import { registerDecorator, type ValidationArguments } from 'class-validator';
import { judgeModelProblem } from '#domain';

/**
 * The judge model name rule (libs/domain judgeModelProblem), read against the `provider` field
 * of the same object: Google's names may not hold a `/`, Groq's may.
 */
export function IsJudgeModel() {
  return (target: object, propertyName: string) => {
    registerDecorator({
      name: 'isJudgeModel',
      target: target.constructor,
      propertyName,
      validator: {
        validate: (value: unknown, args: ValidationArguments) =>
          typeof value === 'string' && judgeModelProblem(String((args.object as { provider?: unknown }).provider ?? ''), value) === null,
        defaultMessage: (args: ValidationArguments) =>
          typeof args.value === 'string'
            ? judgeModelProblem(String((args.object as { provider?: unknown }).provider ?? ''), args.value) ?? 'model is invalid'
            : 'model must be a string',
      },
    });
  };
}
