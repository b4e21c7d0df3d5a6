import { JUDGE_CRITERION_NAMES, JUDGE_SCORE_MAX, JUDGE_SCORE_MIN } from './judge-rubric.js';
import { scrubProviderKeys } from './judge-secrets.js';

/**
 * Parses a judge's answer into scores. Providers that enforce the schema send the requested
 * object; the others send what models really write, so this takes: a ```json fence or prose
 * around the object, `criteria` as an object or as a list of `{name, score, reason}`, scores as
 * numbers, numeric strings or on a scale the judge names ("4/5", `out_of`). Anything else is a
 * failure with a message a person can read, never an exception: a model's answer is untrusted input.
 */
export const MAX_REASON_LENGTH = 1000;
export const MAX_SUGGESTION_LENGTH = 1000;
export const MAX_SUGGESTIONS = 10;
/** Longer answers are not searched for JSON; the judge is asked for a small object (2048 tokens at most). */
export const MAX_JUDGE_ANSWER_LENGTH = 200_000;
/** How much of an unparseable answer the failure quotes, after redaction. */
export const JUDGE_ANSWER_EXCERPT_LENGTH = 40;

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

export interface JudgeAnswerOptions {
  criteria?: readonly string[];
  /**
   * Removes secrets from the answer before any of it is quoted in a failure or kept as a reason or
   * suggestion. Defaults to removing key-shaped tokens; pass the keys in hand too.
   */
  redact?: (text: string) => string;
}

const FENCE = /```[A-Za-z]*[ \t]*\r?\n?([\s\S]*?)```/g;
/** How many `{` positions are tried as the start of the object in prose. */
const MAX_OBJECT_STARTS = 20;
const REASON_KEYS = ['reason', 'reasoning', 'rationale', 'explanation', 'justification', 'comment'];
const SUGGESTION_KEYS = ['suggestion', 'improvement', 'recommendation'];
const SCORE_KEYS = ['score', 'rating', 'value'];
const SCALE_KEYS = ['out_of', 'max_score', 'max', 'scale'];
const NAME_KEYS = ['name', 'criterion', 'dimension', 'id'];
const SCORE_TEXT = /^([-+]?\d+(?:\.\d+)?)\s*(?:(?:\/|out of|of)\s*(\d+(?:\.\d+)?))?$/i;

const round1 = (n: number) => Math.round(n * 10) / 10;
const clampScore = (n: number) => round1(Math.min(JUDGE_SCORE_MAX, Math.max(JUDGE_SCORE_MIN, n)));
const limit = (text: string, max: number) => (text.length <= max ? text : `${text.slice(0, max - 1)}…`);
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const normalName = (name: string) => name.trim().toLowerCase().replace(/[\s-]+/g, '_');
const firstOf = (entry: Record<string, unknown>, keys: readonly string[]) => keys.map((k) => entry[k]).find((v) => v !== undefined);

function failure(detail: string): JudgeAnswer {
  return { ok: false, error: `the judge's answer was not the requested JSON: ${detail}` };
}

function tryParse(text: string): { value: unknown } | null {
  try {
    return { value: JSON.parse(text) };
  } catch {
    return null;
  }
}

/** The end of the balanced `{...}` starting at `start`, strings and escapes respected; -1 when it never closes. */
function objectEnd(text: string, start: number): number {
  let depth = 0;
  let inString = false;
  for (let i = start; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
    } else if (c === '"') inString = true;
    else if (c === '{') depth++;
    else if (c === '}' && --depth === 0) return i;
  }
  return -1;
}

/** The JSON value a model's answer holds: all of it, else a fenced block, else the first object in prose. */
export function extractJson(text: string): { value: unknown } | null {
  const whole = tryParse(text);
  if (whole) return whole;
  for (const match of text.matchAll(FENCE)) {
    const fenced = tryParse(match[1].trim());
    if (fenced) return fenced;
  }
  let from = 0;
  for (let tries = 0; tries < MAX_OBJECT_STARTS; tries++) {
    const start = text.indexOf('{', from);
    if (start < 0) break;
    const end = objectEnd(text, start);
    if (end < 0) break;
    const found = tryParse(text.slice(start, end + 1));
    if (found && isObject(found.value)) return found;
    from = start + 1;
  }
  return null;
}

/** The criteria the judge gave, by normalised name; null when there are none in a shape we read. */
function givenCriteria(root: unknown, wanted: readonly string[]): Map<string, unknown> | null {
  let given: unknown;
  if (Array.isArray(root)) given = root;
  else if (isObject(root)) {
    given = firstOf(root, ['criteria', 'scores', 'dimensions']);
    if (given === undefined && isObject(root.evaluation)) given = firstOf(root.evaluation, ['criteria', 'scores', 'dimensions']);
    // Some models drop the wrapper and put the criteria at the top.
    if (given === undefined && Object.keys(root).some((k) => wanted.includes(normalName(k)))) given = root;
  }
  const byName = new Map<string, unknown>();
  if (isObject(given)) {
    for (const [name, entry] of Object.entries(given)) byName.set(normalName(name), entry);
    return byName;
  }
  if (Array.isArray(given)) {
    for (const entry of given) {
      const name = isObject(entry) ? firstOf(entry, NAME_KEYS) : undefined;
      if (typeof name === 'string' && !byName.has(normalName(name))) byName.set(normalName(name), entry);
    }
    return byName.size > 0 ? byName : null;
  }
  return null;
}

function readScore(entry: Record<string, unknown>): number | null {
  const raw = firstOf(entry, SCORE_KEYS);
  let score: number | null = null;
  let scale: number | null = null;
  if (typeof raw === 'number' && Number.isFinite(raw)) score = raw;
  else if (typeof raw === 'string') {
    const m = SCORE_TEXT.exec(raw.trim());
    if (m) {
      score = Number(m[1]);
      if (m[2] !== undefined) scale = Number(m[2]);
    }
  }
  if (score === null || !Number.isFinite(score)) return null;
  if (scale === null) {
    const stated = firstOf(entry, SCALE_KEYS);
    const n = typeof stated === 'number' ? stated : typeof stated === 'string' ? Number(stated.trim()) : NaN;
    if (Number.isFinite(n)) scale = n;
  }
  if (scale !== null) {
    if (!(scale > 0) || !Number.isFinite(scale)) return null;
    if (scale !== JUDGE_SCORE_MAX) score = (score / scale) * JUDGE_SCORE_MAX;
  }
  return score;
}

function suggestionText(item: unknown): string | null {
  if (typeof item === 'string') return item;
  if (isObject(item)) {
    const text = firstOf(item, ['text', 'suggestion', 'change', 'description']);
    if (typeof text === 'string') return text;
  }
  return null;
}

export function parseJudgeAnswer(answer: string, options: JudgeAnswerOptions | readonly string[] = {}): JudgeAnswer {
  const { criteria = JUDGE_CRITERION_NAMES, redact = (t: string) => scrubProviderKeys(t) } = Array.isArray(options)
    ? { criteria: options as readonly string[] }
    : (options as JudgeAnswerOptions);
  if (typeof answer !== 'string') return failure('it was empty');
  const text = answer.trim();
  if (text === '') return failure('it was empty');
  if (text.length > MAX_JUDGE_ANSWER_LENGTH) return failure(`it is longer than ${MAX_JUDGE_ANSWER_LENGTH} characters`);

  const extracted = extractJson(text);
  if (!extracted) {
    // Redact the whole answer before cutting: a cut first could leave a key's prefix no scrubber recognises.
    return failure(`it is not valid JSON (it begins ${JSON.stringify(limit(redact(text), JUDGE_ANSWER_EXCERPT_LENGTH))})`);
  }
  const root = extracted.value;
  if (!isObject(root) && !Array.isArray(root)) return failure('it is not a JSON object');
  const given = givenCriteria(root, criteria);
  if (!given) return failure('"criteria" is missing or not an object');

  const dimensions: JudgeDimension[] = [];
  for (const name of criteria) {
    const entry = given.get(normalName(name));
    if (!isObject(entry)) return failure(`criterion "${name}" is missing or not an object`);
    const score = readScore(entry);
    if (score === null) return failure(`criterion "${name}" has no numeric score`);
    const reason = firstOf(entry, REASON_KEYS);
    if (typeof reason !== 'string' || reason.trim() === '') return failure(`criterion "${name}" has no reason`);
    const suggestion = firstOf(entry, SUGGESTION_KEYS);
    if (suggestion !== undefined && suggestion !== null && typeof suggestion !== 'string') {
      return failure(`criterion "${name}" has a suggestion that is not a string`);
    }
    const advice = typeof suggestion === 'string' && suggestion.trim() !== '' ? limit(redact(suggestion.trim()), MAX_SUGGESTION_LENGTH) : null;
    dimensions.push({ name, score: clampScore(score), reason: limit(redact(reason.trim()), MAX_REASON_LENGTH), suggestion: advice });
  }

  const list = isObject(root) ? firstOf(root, ['suggestions', 'recommendations', 'improvements']) : undefined;
  let texts: string[];
  if (list === undefined || list === null) {
    // No list: the criteria's own suggestions, weakest criterion first.
    texts = [...dimensions].sort((a, b) => a.score - b.score).flatMap((d) => (d.suggestion ? [d.suggestion] : []));
  } else if (typeof list === 'string') {
    texts = [list];
  } else if (Array.isArray(list)) {
    const read = list.map(suggestionText);
    if (read.some((s) => s === null)) return failure('"suggestions" holds something other than text');
    texts = read as string[];
  } else {
    return failure('"suggestions" is not a list');
  }
  const suggestions = texts
    .map((s) => s.trim())
    .filter((s) => s !== '')
    .slice(0, MAX_SUGGESTIONS)
    .map((s) => limit(redact(s), MAX_SUGGESTION_LENGTH));

  const mean = dimensions.length === 0 ? 0 : dimensions.reduce((sum, d) => sum + d.score, 0) / dimensions.length;
  return { ok: true, evaluation: { score: clampScore(mean), dimensions, suggestions } };
}
