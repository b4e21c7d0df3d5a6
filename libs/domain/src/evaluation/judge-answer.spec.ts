import fc from 'fast-check';
import { MAX_REASON_LENGTH, MAX_SUGGESTIONS, parseJudgeAnswer } from './judge-answer.js';
import { JUDGE_CRITERION_NAMES } from './judge-rubric.js';
import { scrubProviderKeys } from './judge-secrets.js';

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

  const expected = parseJudgeAnswer(answer());
  const list = () => JUDGE_CRITERION_NAMES.map((name, i) => ({ name, score: i + 4, reason: ` ${name} is fine `, suggestion: `Improve ${name}.` }));

  it.each([
    ['a ```json fence', '```json\n' + answer() + '\n```'],
    ['a bare ``` fence', '```\n' + answer() + '\n```'],
    ['surrounding whitespace', '\n\n  ' + answer() + '  \n'],
    ['prose before the JSON', 'Here is my evaluation of the prompt:\n' + answer()],
    ['prose around a fence', 'Sure! Here it is.\n```json\n' + answer() + '\n```\nHope this helps!'],
    ['prose with braces before the JSON', 'Scores use {0-10}. Result: ' + answer() + ' Done.'],
    ['criteria as a list of {name, score, reason}', answer({ criteria: list() })],
    ['criteria as a list with "criterion" and display names', answer({ criteria: list().map(({ name, ...rest }) => ({ criterion: name.replace('_', ' ').toUpperCase(), ...rest })) })],
    ['scores as numeric strings', answer({ criteria: criteria((_, i) => String(i + 4)) })],
    ['scores as "n/10"', answer({ criteria: criteria((_, i) => `${i + 4}/10`) })],
    ['scores on a 0-100 scale it names', answer({ criteria: criteria((_, i) => `${(i + 4) * 10} out of 100`) })],
    ['criteria at the top level', JSON.stringify({ ...criteria(), suggestions: ['Add an example.'] })],
    ['"reasoning" for "reason"', answer({ criteria: Object.fromEntries(Object.entries(criteria()).map(([k, { reason, ...v }]) => [k, { ...v, reasoning: reason }])) })],
  ])('tolerates %s', (_, text) => {
    expect(parseJudgeAnswer(text)).toEqual(expected);
  });

  it('rescales a score given with its own out_of', () => {
    const parsed = parseJudgeAnswer(answer({ criteria: criteria(() => 4) }).replaceAll('"score":4', '"score":4,"out_of":5'));
    expect(parsed.ok && parsed.evaluation.dimensions.map((d) => d.score)).toEqual(JUDGE_CRITERION_NAMES.map(() => 8));
  });

  it('takes the criteria\'s own suggestions, weakest first, when the list is missing', () => {
    const parsed = parseJudgeAnswer(JSON.stringify({ criteria: criteria((_, i) => 9 - i) }));
    expect(parsed.ok && parsed.evaluation.suggestions).toEqual([...JUDGE_CRITERION_NAMES].reverse().map((n) => `Improve ${n}.`));
  });

  it.each([
    ['empty text', '', 'it was empty'],
    ['prose', 'The prompt is good, 8/10.', 'it is not valid JSON'],
    ['a cut-off object', answer().slice(0, 80), 'it is not valid JSON'],
    ['a JSON number', '42', 'it is not a JSON object'],
    ['a JSON array of numbers', '[1,2]', '"criteria" is missing'],
    ['no criteria', JSON.stringify({ suggestions: [] }), '"criteria" is missing'],
    ['a missing criterion', JSON.stringify({ criteria: { clarity: { score: 5, reason: 'x' } }, suggestions: [] }), 'criterion "specificity" is missing'],
    ['a score given as words', answer({ criteria: criteria(() => 'seven') }), 'has no numeric score'],
    ['a score out of zero', answer({ criteria: criteria(() => '3/0') }), 'has no numeric score'],
    ['a score that is an object', answer({ criteria: criteria(() => ({ value: 7 })) }), 'has no numeric score'],
    ['a blank reason', answer({ criteria: { ...criteria(), safety: { score: 3, reason: '  ' } } }), 'criterion "safety" has no reason'],
    ['a numeric suggestion', answer({ criteria: { ...criteria(), safety: { score: 3, reason: 'r', suggestion: 4 } } }), 'suggestion that is not a string'],
    ['suggestions that are a number', answer({ suggestions: 3 }), '"suggestions" is not a list'],
    ['suggestions that are not text', answer({ suggestions: [{ weight: 1 }] }), 'something other than text'],
  ])('fails %s with a clear message', (_, text, detail) => {
    const parsed = parseJudgeAnswer(text);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) {
      expect(parsed.error.startsWith(PREFIX)).toBe(true);
      expect(parsed.error).toContain(detail);
    }
  });

  describe('redaction before quoting', () => {
    // Not key-shaped, so only the key in hand can find it.
    const key = `pg-team-key-${'0123456789abcdef'.repeat(4)}`;
    const redact = (text: string) => scrubProviderKeys(text, [key]);

    it('quotes an answer that begins with the key\'s first 40 characters without any of the key', () => {
      const parsed = parseJudgeAnswer(`${key} is the key I was given; I will not score this.`, { redact });
      expect(parsed.ok).toBe(false);
      if (parsed.ok) return;
      expect(parsed.error).toBe(`${PREFIX}it is not valid JSON (it begins "[redacted] is the key I was given; I wi…")`);
      expect(parsed.error).not.toContain(key.slice(0, 12));
    });

    it('removes key-shaped tokens by default, before the cut', () => {
      const parsed = parseJudgeAnswer(`sk-proj-${'A'.repeat(60)} no JSON here`);
      expect(!parsed.ok && parsed.error).toContain('it begins "[redacted] no JSON here"');
    });

    it('removes the key from reasons and suggestions it keeps', () => {
      const parsed = parseJudgeAnswer(answer({ criteria: { ...criteria(), clarity: { score: 5, reason: `uses ${key}`, suggestion: key } }, suggestions: [`drop ${key}`] }), { redact });
      expect(JSON.stringify(parsed)).not.toContain(key.slice(0, 12));
    });

    it('never quotes a prefix of the key, whatever follows it', () => {
      fc.assert(fc.property(fc.stringMatching(/^[A-Za-z0-9_-]{41,90}$/), fc.string({ maxLength: 60 }).filter((t) => !t.includes('{')), (k, tail) => {
        const parsed = parseJudgeAnswer(`${k}${tail}`, { redact: (t) => scrubProviderKeys(t, [k]) });
        return !parsed.ok && !parsed.error.includes(k.slice(0, 20));
      }));
    });
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

  it('turns text holding no object into a failure', () => {
    fc.assert(fc.property(fc.string({ maxLength: 200 }).filter((t) => !t.includes('{') && !t.includes('[')), (text) => {
      return parseJudgeAnswer(text).ok === false;
    }));
  });

  it('reads the same evaluation whichever way a model wraps or shapes it', () => {
    const scoreArb = fc.integer({ min: 0, max: 10 });
    const reasonArb = fc.string({ minLength: 1, maxLength: 80 }).filter((r) => r.trim() !== '');
    const row = fc.record({ score: scoreArb, reason: reasonArb, suggestion: fc.option(reasonArb, { nil: null }) });
    const shapes = ['object', 'list', 'strings', 'fraction', 'fenced', 'prose', 'top'] as const;
    fc.assert(fc.property(fc.array(row, { minLength: JUDGE_CRITERION_NAMES.length, maxLength: JUDGE_CRITERION_NAMES.length }),
      fc.array(reasonArb, { maxLength: 5 }), fc.constantFrom(...shapes), fc.string({ maxLength: 40 }).filter((p) => !/[{}`[\]]/.test(p)),
      (rows, suggestions, shape, prose) => {
        const canonical = { criteria: Object.fromEntries(JUDGE_CRITERION_NAMES.map((n, i) => [n, rows[i]])), suggestions };
        const byName = JUDGE_CRITERION_NAMES.map((name, i) => ({ name, ...rows[i] }));
        const variant = {
          object: () => JSON.stringify(canonical),
          list: () => JSON.stringify({ criteria: byName, suggestions }),
          strings: () => JSON.stringify({ criteria: Object.fromEntries(byName.map(({ name, score, ...r }) => [name, { score: String(score), ...r }])), suggestions }),
          fraction: () => JSON.stringify({ criteria: byName.map(({ score, ...r }) => ({ ...r, score: `${score * 2}/20` })), suggestions }),
          fenced: () => `${prose}\n\`\`\`json\n${JSON.stringify(canonical, null, 2)}\n\`\`\`\n${prose}`,
          prose: () => `${prose} ${JSON.stringify(canonical)} ${prose}`,
          top: () => JSON.stringify({ ...canonical.criteria, suggestions }),
        }[shape]();
        expect(parseJudgeAnswer(variant)).toEqual(parseJudgeAnswer(JSON.stringify(canonical)));
        return parseJudgeAnswer(variant).ok;
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
