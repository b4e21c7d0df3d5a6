/**
 * The Settings page's form of an environment and the body of PATCH /environments/:env (API.md,
 * "Workspaces, members, environments" and "The test gate"). The form holds strings where the user
 * types numbers; the body carries only what changed, so saving one switch never rewrites a setting
 * someone else changed meanwhile.
 */

export const PROVIDERS = ['anthropic', 'openai', 'google', 'groq', 'mistral'] as const;
export type Provider = (typeof PROVIDERS)[number];

/** The judge select's value when the environment has no judge. */
export const NO_JUDGE = 'none';

export interface EnvironmentSettings {
  is_protected: boolean;
  require_review: boolean;
  eval_required: boolean;
  eval_pass_threshold: number;
  judge: { provider: Provider; model?: string | null } | null;
  tests_required: boolean;
  max_regressions: number;
}

export interface SettingsDraft {
  is_protected: boolean;
  require_review: boolean;
  eval_required: boolean;
  eval_pass_threshold: string;
  judgeProvider: Provider | typeof NO_JUDGE;
  judgeModel: string;
  tests_required: boolean;
  max_regressions: string;
}

export type SettingsPatch = Partial<EnvironmentSettings>;
export type SettingsErrors = Partial<Record<'eval_pass_threshold' | 'max_regressions' | 'judge.model' | 'form', string>>;

export function settingsToDraft(env: EnvironmentSettings): SettingsDraft {
  return {
    is_protected: env.is_protected,
    require_review: env.require_review,
    eval_required: env.eval_required,
    eval_pass_threshold: String(env.eval_pass_threshold),
    judgeProvider: env.judge?.provider ?? NO_JUDGE,
    judgeModel: env.judge?.model ?? '',
    tests_required: env.tests_required,
    max_regressions: String(env.max_regressions),
  };
}

const DECIMAL = /^\d+(\.\d+)?$/;
const WHOLE = /^\d+$/;

/** The changes of `draft` against `env` as a PATCH body, or the form's errors. An empty body means nothing changed. */
export function settingsPatch(env: EnvironmentSettings, draft: SettingsDraft): { patch: SettingsPatch; errors: null } | { patch: null; errors: SettingsErrors } {
  const errors: SettingsErrors = {};
  const patch: SettingsPatch = {};
  for (const key of ['is_protected', 'require_review', 'eval_required', 'tests_required'] as const) {
    if (draft[key] !== env[key]) patch[key] = draft[key];
  }

  const threshold = draft.eval_pass_threshold.trim();
  if (!DECIMAL.test(threshold) || Number(threshold) > 10) errors.eval_pass_threshold = 'A score from 0 to 10, such as 7 or 7.5.';
  else if (Number(threshold) !== env.eval_pass_threshold) patch.eval_pass_threshold = Number(threshold);

  const regressions = draft.max_regressions.trim();
  if (!WHOLE.test(regressions) || Number(regressions) > 1000) errors.max_regressions = 'A whole number from 0 to 1000.';
  else if (Number(regressions) !== env.max_regressions) patch.max_regressions = Number(regressions);

  if (draft.judgeProvider === NO_JUDGE) {
    if (env.judge !== null) patch.judge = null;
  } else {
    // The model name's rules (per provider) are the API's; its refusal shows next to the field.
    const model = draft.judgeModel.trim() || null;
    if (draft.judgeProvider !== env.judge?.provider || model !== (env.judge?.model ?? null)) {
      patch.judge = { provider: draft.judgeProvider, model };
    }
  }

  if (Object.keys(errors).length > 0) return { patch: null, errors };
  return { patch, errors: null };
}

/** The API's validation details (`[{field, messages}]`) as errors by setting, the rest under `form`. */
export function settingsApiErrors(details: unknown): SettingsErrors {
  const out: SettingsErrors = {};
  if (!Array.isArray(details)) return out;
  for (const item of details as unknown[]) {
    if (typeof item !== 'object' || item === null) continue;
    const { field, messages } = item as { field?: unknown; messages?: unknown };
    const text = Array.isArray(messages) ? messages.filter((m) => typeof m === 'string').join(' ') : String(field);
    const key = field === 'eval_pass_threshold' || field === 'max_regressions' ? field
      : typeof field === 'string' && field.startsWith('judge') ? 'judge.model' : 'form';
    out[key] = out[key] ? `${out[key]} ${text}` : text;
  }
  return out;
}
