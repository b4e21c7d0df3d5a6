import { ForbiddenError } from '../errors.js';
import { roleAtLeast, type Role } from '../roles.js';
import { EvalGateError } from './errors.js';

export interface GateEval {
  id: string;
  mode: 'rules' | 'judge';
  score: number | null;
}

export interface EvalGateInput {
  evalRequired: boolean;
  threshold: number;
  /** The environment has a judge: only judge evaluations count. */
  judgeConfigured: boolean;
  /** The version's succeeded evaluations, newest first. */
  evals: readonly GateEval[];
  override: boolean;
  actorRole: Role;
}

/** What the gate let through; `gated: false` when the environment requires no evaluation. */
export type EvalGatePass =
  | { gated: false }
  | { gated: true; overridden: boolean; evalId: string | null; score: number | null; threshold: number };

export type EvalGateResult = { ok: true; gate: EvalGatePass } | { ok: false; refusal: EvalGateError | ForbiddenError };

/**
 * The eval gate: the newest succeeded evaluation of the counted mode (judge where the environment
 * has a judge, else rules) must reach the threshold; an admin or owner may override a refusal.
 */
export function evaluateEvalGate(input: EvalGateInput): EvalGateResult {
  if (!input.evalRequired) return { ok: true, gate: { gated: false } };
  const mode = input.judgeConfigured ? 'judge' : 'rules';
  const counted = input.evals.find((e) => e.mode === mode && e.score !== null) ?? null;
  const score = counted?.score ?? null;
  const pass = { gated: true as const, evalId: counted?.id ?? null, score, threshold: input.threshold };
  if (score !== null && score >= input.threshold) return { ok: true, gate: { ...pass, overridden: false } };
  if (input.override) {
    if (!roleAtLeast(input.actorRole, 'admin')) {
      return { ok: false, refusal: new ForbiddenError('Only an admin or owner may override the eval gate.') };
    }
    return { ok: true, gate: { ...pass, overridden: true } };
  }
  const code = score === null ? 'eval_required' : 'eval_below_threshold';
  return { ok: false, refusal: new EvalGateError(code, { score, threshold: input.threshold, mode }) };
}
