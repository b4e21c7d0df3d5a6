/**
 * Which model names a judge request may carry. A name reaches the provider's SDK verbatim, and
 * Google's SDK puts it into the URL path (`/v1beta/models/{model}:generateContent`), so a name
 * like `../../v1/files/x` would call another endpoint with the workspace's key. Groq's names
 * (`meta-llama/llama-4-scout-17b-16e-instruct`) need the `/`, Google's never do.
 */
export const JUDGE_MODEL_MAX_LENGTH = 200;
const MODEL_NAME = /^[A-Za-z0-9._:/-]{1,200}$/;

/** Why `model` is refused for `provider`, in words for the `model` field; null when it is fine. */
export function judgeModelProblem(provider: string, model: string): string | null {
  if (typeof model !== 'string' || model.length === 0) return 'model must not be empty';
  if (model.length > JUDGE_MODEL_MAX_LENGTH) return `model must be at most ${JUDGE_MODEL_MAX_LENGTH} characters`;
  if (!MODEL_NAME.test(model)) return 'model may hold only letters, digits and . _ : / -';
  if (model.includes('..')) return 'model must not contain ".."';
  if (provider === 'google' && model.includes('/')) return 'model must not contain "/" for google';
  return null;
}

export const isJudgeModelAllowed = (provider: string, model: string): boolean => judgeModelProblem(provider, model) === null;
