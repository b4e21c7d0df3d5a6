import fc from 'fast-check';
import { MAX_REASON_LENGTH, MAX_SUGGESTIONS, parseJudgeAnswer } from './judge-answer.js';
import { JUDGE_CRITERION_NAMES } from './judge-rubric.js';

const criteria = (score: (name: string, i: number) => unknown = (_, i) => i + 4) =>
  Object.fromEntries(JUDGE_CRITERION_NAMES.map((name, i) => [name, { score: score(name, i), reason: ` ${name} is fine `, suggestion: `Improve ${name}.` }]));
const answer = (overrides: Record<string, unknown> = {}) => JSON.stringify({ criteria: criteria(), suggestions: ['Add an example.'], ...overrides });
const PREFIX = "the judge's answer was not the requested JSON: ";

describe('parseJudgeAnswer', () => {
  it('parses the requested shape into dimensions in rubric order, the mean and the suggestions', () => {
    const parsed = parseJudgeAnswer(answer());
    expect(parsed).toEqual({
      ok: true,
      evaluation: {
        score: 6.5, // mean of 4..9
        dimensions: JUDGE_CRITERION_NAMES.map((name, i) => ({ name, score: i + 4, reason: `${name} is fine`, suggestion: `Improve ${name}.` })),
        suggestions: ['Add an example.'],
      },
    });
  });

  it.each([
    ['a ```json fence', '```json\n' + answer() + '\n```'],
    ['a bare ``` fence', '```\n' + answer() + '\n```'],
    ['surrounding whitespace', '\n\n  ' + answer() + '  \n'],
  ])('tolerates %s', (_, text) => {
    expect(parseJudgeAnswer(text).ok).toBe(true);
  });

  it.each([
    ['empty text', '', 'it was empty'],
    ['prose', 'The prompt is good, 8/10.', 'it is not valid JSON'],
    ['prose before the JSON', 'Here you go: ' + answer(), 'it is not valid JSON'],
    ['prose after a fence', '```json\n' + answer() + '\n```\nHope this helps!', 'it is not valid JSON'],
    ['a JSON array', '[1,2]', 'it is not a JSON object'],
    ['no criteria', JSON.stringify({ suggestions: [] }), '"criteria" is missing'],
    ['a missing criterion', JSON.stringify({ criteria: { clarity: { score: 5, reason: 'x' } }, suggestions: [] }), 'criterion "specificity" is missing'],
    ['a score given as text', answer({ criteria: criteria(() => '7') }), 'has no numeric score'],
    ['a blank reason', answer({ criteria: { ...criteria(), safety: { score: 3, reason: '  ' } } }), 'criterion "safety" has no reason'],
    ['a numeric suggestion', answer({ criteria: { ...criteria(), safety: { score: 3, reason: 'r', suggestion: 4 } } }), 'suggestion that is not a string'],
    ['no suggestions', JSON.stringify({ criteria: criteria() }), '"suggestions" is missing'],
    ['suggestions that are not text', answer({ suggestions: [{ text: 'x' }] }), 'something other than text'],
  ])('fails %s with a clear message', (_, text, detail) => {
    const parsed = parseJudgeAnswer(text);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) {
      expect(parsed.error.startsWith(PREFIX)).toBe(true);
      expect(parsed.error).toContain(detail);
    }
  });

  it.each([
    [15, 10],
    [-3, 0],
    [7.26, 7.3],
  ])('clamps and rounds a score of %p to %p', (given, expected) => {
    const parsed = parseJudgeAnswer(answer({ criteria: criteria(() => given) }));
    expect(parsed.ok && parsed.evaluation.dimensions.every((d) => d.score === expected)).toBe(true);
  });

  it('limits reasons, keeps at most ten non-blank suggestions and treats a blank suggestion as none', () => {
    const long = 'r'.repeat(5000);
    const parsed = parseJudgeAnswer(answer({
      criteria: { ...criteria(), clarity: { score: 5, reason: long, suggestion: '  ' } },
      suggestions: ['', ...Array.from({ length: 20 }, (_, i) => `s${i}`)],
    }));
    if (!parsed.ok) throw new Error(parsed.error);
    expect(parsed.evaluation.dimensions[0].reason).toHaveLength(MAX_REASON_LENGTH);
    expect(parsed.evaluation.dimensions[0].suggestion).toBeNull();
    expect(parsed.evaluation.suggestions).toEqual(Array.from({ length: MAX_SUGGESTIONS }, (_, i) => `s${i}`));
  });

  it('ignores criteria it did not ask for and an "overall" the judge computed itself', () => {
    const parsed = parseJudgeAnswer(answer({ criteria: { ...criteria(() => 2), humour: { score: 10, reason: 'x' } }, overall: 10 }));
    expect(parsed.ok && parsed.evaluation.score).toBe(2);
    expect(parsed.ok && parsed.evaluation.dimensions.map((d) => d.name)).toEqual([...JUDGE_CRITERION_NAMES]);
  });

  it('never throws, and a success always holds the bounds (any text)', () => {
    fc.assert(fc.property(fc.string({ maxLength: 400 }), (text) => {
      const parsed = parseJudgeAnswer(text);
      return parsed.ok ? true : parsed.error.startsWith(PREFIX);
    }));
  });

  it('turns text that is not the JSON object into a failure', () => {
    fc.assert(fc.property(fc.string({ maxLength: 200 }).filter((t) => !t.trim().startsWith('{') && !t.trim().startsWith('```')), (text) => {
      return parseJudgeAnswer(text).ok === false;
    }));
  });

  it('keeps every score in 0..10 with one decimal and the mean in bounds, whatever numbers the judge gives', () => {
    const score = fc.oneof(fc.double({ noNaN: true, noDefaultInfinity: true, min: -1e6, max: 1e6 }), fc.integer({ min: -50, max: 50 }));
    fc.assert(fc.property(fc.array(score, { minLength: JUDGE_CRITERION_NAMES.length, maxLength: JUDGE_CRITERION_NAMES.length }),
      fc.array(fc.string({ maxLength: 2000 }), { maxLength: 30 }), (scores, suggestions) => {
        const parsed = parseJudgeAnswer(answer({ criteria: criteria((_, i) => scores[i]), suggestions }));
        if (!parsed.ok) return false;
        const { evaluation } = parsed;
        const inBounds = (n: number) => n >= 0 && n <= 10 && Math.round(n * 10) / 10 === n;
        return inBounds(evaluation.score)
          && evaluation.dimensions.every((d) => inBounds(d.score) && d.reason.length <= MAX_REASON_LENGTH)
          && evaluation.suggestions.length <= MAX_SUGGESTIONS
          && evaluation.suggestions.every((s) => s.length > 0 && s.length <= 1000);
      }));
  });

  it('never throws on arbitrary JSON values', () => {
    fc.assert(fc.property(fc.jsonValue(), (value) => {
      const parsed = parseJudgeAnswer(JSON.stringify(value));
      return parsed.ok || parsed.error.startsWith(PREFIX);
    }));
  });
});
