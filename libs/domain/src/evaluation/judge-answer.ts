import { JUDGE_CRITERION_NAMES } from './judge-rubric.js';

/**
 * Parses a judge's answer into scores. The answer must be the JSON object the rubric asked for
 * (a ```json fence around it is tolerated, nothing else); anything else is a failure with a message
 * a person can read, never an exception: a model's answer is untrusted input.
 */
export const MAX_REASON_LENGTH = 1000;
export const MAX_SUGGESTION_LENGTH = 1000;
export const MAX_SUGGESTIONS = 10;

export interface JudgeDimension {
  name: string;
  /** 0-10, one decimal. */
  score: number;
  reason: string;
  suggestion: string | null;
}

export interface JudgeEvaluation {
  /** The mean of the dimensions, 0-10 with one decimal. */
  score: number;
  dimensions: JudgeDimension[];
  suggestions: string[];
}

export type JudgeAnswer = { ok: true; evaluation: JudgeEvaluation } | { ok: false; error: string };

const FENCE = /^```(?:json|JSON)?[ \t]*\r?\n([\s\S]*?)\r?\n?```$/;
const round1 = (n: number) => Math.round(n * 10) / 10;
const clampScore = (n: number) => round1(Math.min(10, Math.max(0, n)));
const limit = (text: string, max: number) => (text.length <= max ? text : `${text.slice(0, max - 1)}…`);
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function failure(detail: string): JudgeAnswer {
  return { ok: false, error: `the judge's answer was not the requested JSON: ${detail}` };
}

export function parseJudgeAnswer(answer: string, criteria: readonly string[] = JUDGE_CRITERION_NAMES): JudgeAnswer {
  if (typeof answer !== 'string') return failure('it was empty');
  let text = answer.trim();
  if (text === '') return failure('it was empty');
  const fenced = FENCE.exec(text);
  if (fenced) text = fenced[1].trim();

  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return failure(`it is not valid JSON (it begins ${JSON.stringify(text.slice(0, 40))})`);
  }
  if (!isObject(parsed)) return failure('it is not a JSON object');
  const given = parsed.criteria;
  if (!isObject(given)) return failure('"criteria" is missing or not an object');

  const dimensions: JudgeDimension[] = [];
  for (const name of criteria) {
    const entry = Object.hasOwn(given, name) ? given[name] : undefined;
    if (!isObject(entry)) return failure(`criterion "${name}" is missing or not an object`);
    const { score, reason, suggestion } = entry;
    if (typeof score !== 'number' || !Number.isFinite(score)) return failure(`criterion "${name}" has no numeric score`);
    if (typeof reason !== 'string' || reason.trim() === '') return failure(`criterion "${name}" has no reason`);
    if (suggestion !== undefined && suggestion !== null && typeof suggestion !== 'string') {
      return failure(`criterion "${name}" has a suggestion that is not a string`);
    }
    const advice = typeof suggestion === 'string' && suggestion.trim() !== '' ? limit(suggestion.trim(), MAX_SUGGESTION_LENGTH) : null;
    dimensions.push({ name, score: clampScore(score), reason: limit(reason.trim(), MAX_REASON_LENGTH), suggestion: advice });
  }

  const list = parsed.suggestions;
  if (!Array.isArray(list)) return failure('"suggestions" is missing or not a list');
  if (list.some((s) => typeof s !== 'string')) return failure('"suggestions" holds something other than text');
  const suggestions = (list as string[])
    .map((s) => s.trim())
    .filter((s) => s !== '')
    .slice(0, MAX_SUGGESTIONS)
    .map((s) => limit(s, MAX_SUGGESTION_LENGTH));

  const mean = dimensions.length === 0 ? 0 : dimensions.reduce((sum, d) => sum + d.score, 0) / dimensions.length;
  return { ok: true, evaluation: { score: clampScore(mean), dimensions, suggestions } };
}
