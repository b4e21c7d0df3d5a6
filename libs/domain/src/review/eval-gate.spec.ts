import type { Role } from '../roles.js';
import { evaluateEvalGate, type EvalGateInput, type GateEval } from './eval-gate.js';

const rules = (score: number, id = `rules-${score}`): GateEval => ({ id, mode: 'rules', score });
const judge = (score: number, id = `judge-${score}`): GateEval => ({ id, mode: 'judge', score });

const gate = (over: Partial<EvalGateInput>): EvalGateInput => ({
  evalRequired: true, threshold: 7, judgeConfigured: false, evals: [], override: false, actorRole: 'reviewer', ...over,
});

describe('evaluateEvalGate', () => {
  it('lets everything through when the environment requires no evaluation', () => {
    expect(evaluateEvalGate(gate({ evalRequired: false, evals: [rules(1)] }))).toEqual({ ok: true, gate: { gated: false } });
  });

  // [case, input, expected score counted]
  const passes: Array<[string, Partial<EvalGateInput>, string, number]> = [
    ['a rules eval at the threshold', { evals: [rules(7)] }, 'rules-7', 7],
    ['the newest rules eval, not an older failing one', { evals: [rules(8), rules(2)] }, 'rules-8', 8],
    ['the rules eval when there is no judge, even after a newer judge eval', { evals: [judge(1), rules(9)] }, 'rules-9', 9],
    ['the newest judge eval where a judge is configured', { judgeConfigured: true, evals: [rules(1), judge(9), judge(2)] }, 'judge-9', 9],
    ['a threshold of zero with a zero score', { threshold: 0, evals: [rules(0)] }, 'rules-0', 0],
  ];
  it.each(passes)('passes %s', (_case, input, evalId, score) => {
    expect(evaluateEvalGate(gate(input))).toEqual({
      ok: true, gate: { gated: true, overridden: false, evalId, score, threshold: input.threshold ?? 7 },
    });
  });

  // [case, input, code, details]
  const refusals: Array<[string, Partial<EvalGateInput>, string, unknown]> = [
    ['no eval at all', {}, 'eval_required', { score: null, threshold: 7, mode: 'rules' }],
    ['only a judge eval without a judge configured', { evals: [judge(9)] }, 'eval_required', { score: null, threshold: 7, mode: 'rules' }],
    ['only a rules eval where a judge is configured', { judgeConfigured: true, evals: [rules(10)] }, 'eval_required', { score: null, threshold: 7, mode: 'judge' }],
    ['a rules score below the threshold', { evals: [rules(6.9)] }, 'eval_below_threshold', { score: 6.9, threshold: 7, mode: 'rules' }],
    ['the newest score low though an older one passed', { evals: [rules(3), rules(9)] }, 'eval_below_threshold', { score: 3, threshold: 7, mode: 'rules' }],
    ['a judge score below the threshold', { judgeConfigured: true, threshold: 8.5, evals: [judge(8)] }, 'eval_below_threshold', { score: 8, threshold: 8.5, mode: 'judge' }],
  ];
  it.each(refusals)('refuses %s with 422', (_case, input, code, details) => {
    const result = evaluateEvalGate(gate(input));
    expect(result).toEqual({ ok: false, refusal: expect.objectContaining({ kind: 'unprocessable', code, details }) });
  });

  // [actor role, evals, allowed]
  const overrides: Array<[Role, GateEval[], boolean]> = [
    ['owner', [], true],
    ['admin', [], true],
    ['admin', [rules(2)], true],
    ['reviewer', [], false],
    ['reviewer', [rules(2)], false],
    ['editor', [rules(2)], false],
  ];
  it.each(overrides)('an override by %s of a refusal with evals %j is allowed: %s', (actorRole, evals, allowed) => {
    const result = evaluateEvalGate(gate({ actorRole, evals, override: true }));
    if (allowed) {
      expect(result).toEqual({
        ok: true, gate: { gated: true, overridden: true, evalId: evals[0]?.id ?? null, score: evals[0]?.score ?? null, threshold: 7 },
      });
    } else {
      expect(result).toEqual({ ok: false, refusal: expect.objectContaining({ kind: 'forbidden', code: 'forbidden' }) });
    }
  });

  it('records no override when the version passed on its own, whoever asked for one', () => {
    expect(evaluateEvalGate(gate({ actorRole: 'reviewer', override: true, evals: [rules(9)] })))
      .toEqual({ ok: true, gate: { gated: true, overridden: false, evalId: 'rules-9', score: 9, threshold: 7 } });
  });
});
