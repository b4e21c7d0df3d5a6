/**
 * The rules evaluation: eight dimensions scored 0-10 from the prompt text alone, pure and
 * deterministic, each with a reason a person can act on and, below 10, a concrete suggestion.
 * Heuristics, not judgement: they catch what a reviewer would flag at a glance (no role, no output
 * format, a leaked key, an injection phrase) so that a weak prompt never reaches review unnoticed.
 */
import type { PromptMessage } from '../portable/messages.js';
import { messagesAsText } from '../prompts/messages.js';

export const RULE_DIMENSIONS = [
  'role_clarity',
  'instruction_quality',
  'output_format',
  'specificity',
  'variable_usage',
  'context_provision',
  'length',
  'safety',
] as const;
export type RuleDimension = (typeof RULE_DIMENSIONS)[number];

export interface DimensionScore {
  name: RuleDimension;
  score: number;
  reason: string;
  /** What to change to score higher; null at 10. */
  suggestion: string | null;
}

export interface RulesEvaluation {
  /** 0-10 with one decimal. */
  score: number;
  dimensions: DimensionScore[];
  /** The suggestions of the lowest-scoring dimensions first. */
  suggestions: string[];
  word_count: number;
}

/** Optimal length range in words (the issue's 50-800). */
export const OPTIMAL_WORDS = { min: 50, max: 800 } as const;

const clamp = (n: number) => Math.max(0, Math.min(10, Math.round(n)));
const count = (re: RegExp, text: string) => {
  re.lastIndex = 0;
  let n = 0;
  while (re.exec(text) !== null) n++;
  return n;
};

// --- linear scans ----------------------------------------------------------------------------------
// Each replaces a regular expression that backtracked quadratically on crafted input (a run of
// newlines, "{{" before a long brace-free run, a long dotted run without "@"), with the same answers.

const isWord = (c: number) => (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95;
const isIdentStart = (c: number) => (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95;
/** JavaScript's \s. */
const isSpace = (c: number) =>
  (c >= 9 && c <= 13) || c === 32 || c === 0xa0 || c === 0x1680 || (c >= 0x2000 && c <= 0x200a) ||
  c === 0x2028 || c === 0x2029 || c === 0x202f || c === 0x205f || c === 0x3000 || c === 0xfeff;
/** Where a multiline ^ or $ may stand: next to \n, \r, U+2028 or U+2029. */
const isLineEnd = (c: number) => c === 10 || c === 13 || c === 0x2028 || c === 0x2029;

/**
 * Counts imperatives: a verb at the start of a line, after [.!?:;\n-] and optional whitespace, or
 * after "always", "never" or "please" and whitespace (the former /(^|[.!?:;\n-]\s*|\b(always|never|please)\s+)(verb)\b/gm).
 */
function countImperatives(text: string): number {
  let n = 0;
  IMPERATIVE_VERB.lastIndex = 0;
  for (let m = IMPERATIVE_VERB.exec(text); m !== null; m = IMPERATIVE_VERB.exec(text)) {
    const i = m.index;
    if (i === 0 || isLineEnd(text.charCodeAt(i - 1))) {
      n++;
      continue;
    }
    // The whitespace run before the verb, back to j; each run precedes one verb, so the scans add up to the text.
    let j = i;
    let newline = false;
    while (j > 0 && isSpace(text.charCodeAt(j - 1))) {
      if (text.charCodeAt(j - 1) === 10) newline = true;
      j--;
    }
    if (newline || (j > 0 && '.!?:;\n-'.includes(text[j - 1]))) {
      n++;
      continue;
    }
    if (j < i && IMPERATIVE_ADVERBS.some((w) => j >= w.length && text.startsWith(w, j - w.length)
      && (j === w.length || !isWord(text.charCodeAt(j - w.length - 1))))) n++;
  }
  return n;
}

/** Per index, the length of the run of one kind of character starting there. */
function runLengths(text: string, kind: (c: number) => boolean): Int32Array {
  const runs = new Int32Array(text.length + 1);
  for (let i = text.length - 1; i >= 0; i--) runs[i] = kind(text.charCodeAt(i)) ? runs[i + 1] + 1 : 0;
  return runs;
}

/**
 * Counts malformed placeholders, left to right without overlap, exactly as the former
 * /\{\{\s+W+\s*\}\}|\{\{\s*W+\s+\}\}|\{\{[^{}]*[^W{}\s][^{}]*\}\}|(^|[^{])\{I\}(?!\})|\$\{I\}|\{\{W*$/gm
 * did (W a word character, I an identifier), trying at each position its six branches in order.
 */
function countMalformedPlaceholders(text: string): number {
  const len = text.length;
  if (!text.includes('{')) return 0;
  const word = runLengths(text, isWord);
  const space = runLengths(text, isSpace);
  // Per index, the nearest brace and the nearest character that is neither word, space nor brace, at or after it.
  const nextBrace = new Int32Array(len + 1);
  const nextOther = new Int32Array(len + 1);
  nextBrace[len] = len;
  nextOther[len] = len;
  for (let i = len - 1; i >= 0; i--) {
    const c = text.charCodeAt(i);
    const brace = c === 123 || c === 125;
    nextBrace[i] = brace ? i : nextBrace[i + 1];
    nextOther[i] = !brace && !isWord(c) && !isSpace(c) ? i : nextOther[i + 1];
  }
  const at = (i: number) => (i < len ? text.charCodeAt(i) : -1);
  const closes = (i: number) => at(i) === 125 && at(i + 1) === 125;
  /** End of `{ident}` (not followed by another '}') whose '{' is at i, or -1. */
  const singleBraced = (i: number) => {
    if (at(i) !== 123 || !isIdentStart(at(i + 1))) return -1;
    const close = i + 1 + word[i + 1];
    return at(close) === 125 && at(close + 1) !== 125 ? close + 1 : -1;
  };
  const matchAt = (p: number): number => {
    if (at(p) === 123 && at(p + 1) === 123) {
      const inner = p + 2;
      // \{\{\s+W+\s*\}\}
      if (space[inner] > 0) {
        const w = inner + space[inner];
        if (word[w] > 0) {
          const e = w + word[w] + space[w + word[w]];
          if (closes(e)) return e + 2;
        }
      }
      // \{\{\s*W+\s+\}\}
      const w = inner + space[inner];
      if (word[w] > 0 && space[w + word[w]] > 0) {
        const e = w + word[w] + space[w + word[w]];
        if (closes(e)) return e + 2;
      }
      // \{\{[^{}]*[^W{}\s][^{}]*\}\}: the brace-free run must hold another character and end in }}.
      const q = nextBrace[inner];
      if (closes(q) && nextOther[inner] < q) return q + 2;
    }
    // (^|[^{])\{I\}(?!\})
    if (p === 0 || isLineEnd(at(p - 1))) {
      const e = singleBraced(p);
      if (e >= 0) return e;
    }
    if (p + 1 < len && at(p) !== 123) {
      const e = singleBraced(p + 1);
      if (e >= 0) return e;
    }
    // \$\{I\}
    if (at(p) === 36 && at(p + 1) === 123 && isIdentStart(at(p + 2))) {
      const close = p + 2 + word[p + 2];
      if (at(close) === 125) return close + 1;
    }
    // \{\{W*$
    if (at(p) === 123 && at(p + 1) === 123) {
      const e = p + 2 + word[p + 2];
      if (e === len || isLineEnd(at(e))) return e;
    }
    return -1;
  };
  let n = 0;
  for (let p = 0; p < len;) {
    const end = matchAt(p);
    if (end < 0) p++;
    else {
      n++;
      p = end;
    }
  }
  return n;
}

const EMAIL_LOCAL = (c: number) => isWord(c) || c === 46 || c === 37 || c === 43 || c === 45; // . % + -
const EMAIL_DOMAIN = (c: number) => (isWord(c) && c !== 95) || c === 46 || c === 45; // letters, digits . -
const isLetter = (c: number) => (c >= 65 && c <= 90) || (c >= 97 && c <= 122);

/** Whether the text holds an email address, as the former /\b[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}\b/ found one. */
function containsEmail(text: string): boolean {
  for (let at = text.indexOf('@'); at >= 0; at = text.indexOf('@', at + 1)) {
    // The local part: some start in the run before '@' must be a word boundary.
    let local = false;
    for (let s = at - 1; s >= 0 && EMAIL_LOCAL(text.charCodeAt(s)); s--) {
      const before = s > 0 && isWord(text.charCodeAt(s - 1));
      if (before !== isWord(text.charCodeAt(s))) {
        local = true;
        break;
      }
    }
    if (!local) continue;
    // The domain: some '.' after at least one domain character, followed by 2+ letters that end at a word boundary.
    for (let j = at + 2; j < text.length && EMAIL_DOMAIN(text.charCodeAt(j - 1)); j++) {
      if (text.charCodeAt(j) !== 46) continue;
      let e = j + 1;
      while (e < text.length && isLetter(text.charCodeAt(e))) e++;
      if (e - j - 1 >= 2 && (e === text.length || !isWord(text.charCodeAt(e)))) return true;
    }
  }
  return false;
}

/** The scans, for the spec to compare with the expressions they replace. */
export const linearScansForTest = { countImperatives, countMalformedPlaceholders, containsEmail };

interface Text {
  raw: string;
  lower: string;
  words: number;
  lines: string[];
}

function dimension(name: RuleDimension, score: number, reason: string, suggestion: string | null): DimensionScore {
  const s = clamp(score);
  return { name, score: s, reason, suggestion: s >= 10 ? null : suggestion };
}

// --- role clarity -----------------------------------------------------------------------------
const ROLE_STRONG = /\b(you are|you're|act as|acting as|your role is|you will act as|as an? [a-z-]+ (assistant|agent|expert|specialist|analyst|writer|editor|tutor|reviewer|engineer|advisor))\b/;
const ROLE_WEAK = /\b(assistant|agent|bot|expert|persona|role)\b/;

function roleClarity(t: Text, chat?: ChatParts): DimensionScore {
  // A chat prompt's system message is where a role belongs: one that defines it counts as at the start.
  for (const system of chat?.system ?? []) {
    const s = ROLE_STRONG.exec(system.toLowerCase());
    if (s && s.index < 300) {
      return dimension('role_clarity', 10, `The system message states who the model is ("${system.substr(s.index, 40).trim()}…").`, null);
    }
  }
  const m = ROLE_STRONG.exec(t.lower);
  if (m && m.index < 300) {
    return dimension('role_clarity', 10, `States who the model is at the start ("${t.raw.substr(m.index, 40).trim()}…").`, null);
  }
  if (m) {
    return dimension('role_clarity', 7, 'States a role, but only after other text.',
      'Move the role statement ("You are a …") to the first sentence, so every later instruction is read in that persona.');
  }
  if (ROLE_WEAK.test(t.lower)) {
    return dimension('role_clarity', 4, 'Mentions an assistant or role but never says who the model is.',
      'Open with an explicit role: "You are a <role> for <audience/product>."');
  }
  return dimension('role_clarity', 1, 'No role or persona: the model must guess who it is and how to sound.',
    'Open with an explicit role, e.g. "You are a support agent for {{product}} who answers billing questions."');
}

// --- instruction quality ------------------------------------------------------------------------
const IMPERATIVE_VERB = /\b(answer|write|respond|reply|use|include|avoid|keep|list|summari[sz]e|explain|return|provide|ask|cite|classify|extract|translate|generate|check|refuse|follow|format|describe|identify|do not|don't)\b/g;
const IMPERATIVE_ADVERBS = ['always', 'never', 'please'];
const MODAL = /\b(must|should|never|always|do not|don't|only)\b/g;
const VAGUE = /\b(maybe|perhaps|try to|somehow|something|stuff|things|etc\.?|kind of|sort of|as needed|if possible|whatever)\b/g;
const LIST_ITEM = /^\s*(\d+[.)]|[-*•])\s+\S/;

function instructionQuality(t: Text): DimensionScore {
  const imperatives = countImperatives(t.lower);
  const modals = count(MODAL, t.lower);
  const vaguePhrases = [...new Set(t.lower.match(VAGUE) ?? [])];
  const vague = count(VAGUE, t.lower);
  const listItems = t.lines.filter((l) => LIST_ITEM.test(l)).length;
  let score = 2 + Math.min(imperatives, 4) * 1.25 + Math.min(modals, 3) * 0.5 + (listItems >= 2 ? 2 : 0) - vague * 1.5;
  score = Math.min(score, 10);
  const parts = [`${imperatives} direct instruction${imperatives === 1 ? '' : 's'}`];
  if (listItems >= 2) parts.push(`${listItems} list items`);
  if (vague) parts.push(`${vague} vague phrase${vague === 1 ? '' : 's'} (${vaguePhrases.map((v) => `"${v}"`).join(', ')})`);
  const suggestion = vague
    ? 'Replace vague phrases ("try to", "etc.", "maybe") with firm instructions: say exactly what to do and what never to do.'
    : listItems < 2
      ? 'Write the instructions as a short numbered list of imperative sentences ("1. Answer in …", "2. Never …").'
      : 'Make each instruction a direct imperative ("Answer …", "Never …") rather than a description.';
  return dimension('instruction_quality', score, `${parts.join(', ')}.`, suggestion);
}

// --- output format -------------------------------------------------------------------------------
const FORMAT_NAMED = /\b(json|yaml|xml|csv|markdown|html|table|bullet(ed)? (points?|list)|numbered list|a list|one (word|sentence|paragraph|line))\b/;
const FORMAT_VERB = /\b(respond|reply|answer|return|output|format|structure)\b[^.\n]{0,40}\b(as|in|with|using|following)\b/;
const FORMAT_SIZE = /\b(\d+|one|two|three|four|five|ten)\s+(words?|sentences?|paragraphs?|bullets?|items?|lines?|characters?)\b|\b(at most|no more than|under|fewer than|maximum of|up to)\s+\d+/;
const FORMAT_SCHEMA = /[{[]\s*"[a-z_]+"\s*:/i;

function outputFormat(t: Text): DimensionScore {
  const named = FORMAT_NAMED.test(t.lower);
  const verb = FORMAT_VERB.test(t.lower);
  const size = FORMAT_SIZE.test(t.lower);
  const schema = FORMAT_SCHEMA.test(t.raw);
  const score = (named ? 4 : 0) + (verb ? 2 : 0) + (size ? 2 : 0) + (schema ? 2 : 0) + (named || verb ? 0 : 1);
  const found = [named && 'names a format', verb && 'says how to respond', size && 'bounds the length', schema && 'shows a schema']
    .filter(Boolean).join(', ');
  const suggestion = !named && !verb
    ? 'Say what the answer must look like: e.g. "Reply in at most 3 short paragraphs" or "Return JSON: {\\"answer\\": string}".'
    : !size
      ? 'Bound the answer\'s size ("at most 120 words", "3 bullet points") so responses stay consistent.'
      : 'Show the exact shape expected, e.g. a JSON example with the field names.';
  return dimension('output_format', score, found ? `The prompt ${found}.` : 'No output format: answers will vary in shape and length.', suggestion);
}

// --- specificity ------------------------------------------------------------------------------
const NUMBER = /\b\d+(\.\d+)?%?\b/g;
const EXAMPLE = /\b(for example|for instance|e\.g\.|example:|examples:|such as|like this)\b/;
const CONSTRAINT = /\b(only|never|must not|do not|don't|without|except|unless|at most|at least|exactly)\b/g;
const GENERIC = /\b(good|nice|helpful|appropriate|relevant|proper|interesting|great|best|some|various|several)\b/g;

function specificity(t: Text): DimensionScore {
  const numbers = count(NUMBER, t.raw);
  const example = EXAMPLE.test(t.lower);
  const constraints = count(CONSTRAINT, t.lower);
  const generic = count(GENERIC, t.lower);
  const density = t.words > 0 ? generic / t.words : 0;
  const score = 3 + Math.min(numbers, 3) + (example ? 2 : 0) + Math.min(constraints, 3) * 0.75 - (density > 0.04 ? 3 : density > 0.02 ? 1.5 : 0);
  const parts = [`${numbers} concrete number${numbers === 1 ? '' : 's'}`, `${constraints} explicit constraint${constraints === 1 ? '' : 's'}`];
  parts.push(example ? 'an example' : 'no example');
  if (density > 0.02) parts.push(`many generic adjectives (${generic})`);
  const suggestion = !example
    ? 'Add one short example of a good answer ("For example: …"), and replace generic words like "good" or "appropriate" with the criteria you mean.'
    : 'Add concrete limits and criteria (numbers, names, what is out of scope) instead of generic adjectives.';
  return dimension('specificity', score, `${parts.join(', ')}.`, suggestion);
}

// --- variable usage ------------------------------------------------------------------------------
const PLACEHOLDER = /\{\{([A-Za-z0-9_]+)\}\}/g;
const UNCLEAR_NAME = /^(x|y|z|a|b|c|var\d*|v\d*|tmp|foo|bar|input\d*|data\d*|text\d*)$/i;

function variableUsage(t: Text, chat?: ChatParts): DimensionScore {
  const names = [...t.raw.matchAll(PLACEHOLDER)].map((m) => m[1]);
  const distinct = [...new Set(names)];
  const malformed = countMalformedPlaceholders(t.raw);
  const slots = chat?.placeholders ?? [];
  const unclear = [...distinct, ...slots].filter((n) => UNCLEAR_NAME.test(n));
  if (distinct.length === 0 && malformed === 0 && slots.length === 0) {
    return dimension('variable_usage', 7, 'A static prompt: no {{variables}}.',
      'If the prompt is filled with changing data (names, products, user input), use {{variables}} instead of editing the text.');
  }
  const score = 10 - malformed * 3 - unclear.length * 2;
  const parts: string[] = [];
  if (distinct.length) parts.push(`${distinct.length} variable${distinct.length === 1 ? '' : 's'} (${distinct.slice(0, 5).map((n) => `{{${n}}}`).join(', ')})`);
  if (slots.length) parts.push(`${slots.length} placeholder${slots.length === 1 ? '' : 's'} for messages (${slots.slice(0, 5).join(', ')})`);
  if (malformed) parts.push(`${malformed} malformed placeholder${malformed === 1 ? '' : 's'} that will not be substituted`);
  if (unclear.length) parts.push(`unclear name${unclear.length === 1 ? '' : 's'}: ${unclear.join(', ')}`);
  const suggestion = malformed
    ? 'Write placeholders exactly as {{name}} (double braces, no spaces, letters, digits and _ only); others are sent to the model literally.'
    : 'Give variables names that say what they hold, e.g. {{customer_name}} rather than {{x}}.';
  return dimension('variable_usage', score, `${parts.join('; ')}.`, suggestion);
}

// --- context provision ----------------------------------------------------------------------------
const CONTEXT_CUES = /\b(context|background|audience|the user is|users are|customers?|our (company|product|team|service)|because|so that|in order to|the goal|goal is|purpose|situation|you will receive|you are given|the following|below is|knowledge|policy|policies)\b/g;
const SECTION = /^\s*(#{1,6}\s+\S|<[a-z_]+>|[A-Z][A-Za-z ]{2,30}:\s*$)/;

function contextProvision(t: Text): DimensionScore {
  const cues = count(CONTEXT_CUES, t.lower);
  const sections = t.lines.filter((l) => SECTION.test(l)).length;
  const score = 2 + Math.min(cues, 5) * 1.4 + Math.min(sections, 2) * 0.5;
  const reason = cues === 0
    ? 'No context: nothing about the audience, the goal or the situation.'
    : `${cues} context cue${cues === 1 ? '' : 's'} (audience, goal, background)${sections ? ` in ${sections} section${sections === 1 ? '' : 's'}` : ''}.`;
  return dimension('context_provision', score, reason,
    'Say who the audience is and what the answer is for ("Users are small-business owners; the goal is …"), and give needed background in a delimited section.');
}

// --- length ----------------------------------------------------------------------------------------
function length(t: Text): DimensionScore {
  const w = t.words;
  const { min, max } = OPTIMAL_WORDS;
  let score: number;
  if (w >= min && w <= max) score = 10;
  else if (w < min) score = w < 10 ? 1 : 3 + ((w - 10) / (min - 10)) * 6;
  else score = w > 3000 ? 1 : w > 1500 ? 3 : 9 - ((w - max) / (1500 - max)) * 5;
  const reason = `${w} word${w === 1 ? '' : 's'}; the optimal range is ${min}-${max}.`;
  const suggestion = w < min
    ? 'Too short to steer the model reliably: add the role, the audience, the rules and the output format.'
    : 'Long prompts dilute instructions: cut repetition, move reference material into a delimited section or retrieval, keep the rules short.';
  return dimension('length', score, reason, suggestion);
}

// --- safety ----------------------------------------------------------------------------------------
const SECRETS: Array<[string, RegExp]> = [
  ['an Anthropic API key', /\bsk-ant-[A-Za-z0-9_-]{20,}/],
  ['an OpenAI API key', /\bsk-(proj-)?[A-Za-z0-9_-]{20,}/],
  ['a Google API key', /\bAIza[0-9A-Za-z_-]{35}\b/],
  ['a Groq API key', /\bgsk_[A-Za-z0-9]{20,}/],
  ['an AWS access key', /\b(AKIA|ASIA)[0-9A-Z]{16}\b/],
  ['a GitHub token', /\bgh[pousr]_[A-Za-z0-9]{30,}/],
  ['a Slack token', /\bxox[abprs]-[A-Za-z0-9-]{10,}/],
  ['a Promptgate API key', /\bpg_(live|test)_[0-9A-Za-z]{38}\b/],
  ['a private key', /-----BEGIN [A-Z ]*PRIVATE KEY-----/],
  ['a password or secret assignment', /\b(password|passwd|secret|api[_-]?key|token)\s*[:=]\s*["']?[^\s"'{}]{8,}/i],
];
const PII: Array<[string, { test(text: string): boolean }]> = [
  ['an email address', { test: containsEmail }],
  ['a US social security number', /\b\d{3}-\d{2}-\d{4}\b/],
  ['a phone number', /(?:\+\d{1,3}[\s.-]?)?\(?\d{3}\)?[\s.-]\d{3}[\s.-]\d{4}\b/],
];
const CARD = /\b(?:\d[ -]?){13,19}\b/g;
const INJECTION: Array<[string, RegExp]> = [
  ['"ignore previous instructions"', /\b(ignore|disregard|forget)\b[^.\n]{0,30}\b(previous|prior|above|earlier|all)\b[^.\n]{0,20}\b(instructions?|rules?|prompts?|directions?)\b/],
  ['a request to reveal the system prompt', /\b(reveal|print|show|repeat|output)\b[^.\n]{0,30}\b(system prompt|your instructions|hidden instructions|initial prompt)\b/],
  ['a no-restrictions persona', /\b(no (restrictions|rules|limits|filters)|jailbreak|do anything now|developer mode|without any (restrictions|limits))\b/],
];
const USER_INPUT_VAR = /\{\{(user_?input|input|message|user_?message|query|question|user_?query|text|content|comment|email_body)\}\}/gi;
const DELIMITED = /(["'`]{1,3}|<[a-z_]+>|\[)\s*\{\{[A-Za-z0-9_]+\}\}\s*(["'`]{1,3}|<\/[a-z_]+>|\])/g;

function luhn(digits: string): boolean {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = digits.charCodeAt(digits.length - 1 - i) - 48;
    if (i % 2 === 1) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return sum % 10 === 0;
}

function safety(t: Text): DimensionScore {
  const problems: string[] = [];
  let score = 10;
  const secrets = SECRETS.filter(([, re]) => re.test(t.raw)).map(([what]) => what);
  if (secrets.length) {
    score = 0;
    problems.push(`contains ${secrets[0]}`);
  }
  const pii = PII.filter(([, re]) => re.test(t.raw)).map(([what]) => what);
  CARD.lastIndex = 0;
  for (const m of t.raw.matchAll(CARD)) {
    const digits = m[0].replace(/[ -]/g, '');
    if (digits.length >= 13 && luhn(digits)) {
      pii.push('a payment card number');
      break;
    }
  }
  if (pii.length) {
    score -= 3 + pii.length;
    problems.push(`contains ${pii.join(' and ')}`);
  }
  const injections = INJECTION.filter(([, re]) => re.test(t.lower)).map(([what]) => what);
  if (injections.length) {
    score -= 5;
    problems.push(`contains ${injections.join(' and ')}`);
  }
  const userVars = count(USER_INPUT_VAR, t.raw);
  const delimited = count(DELIMITED, t.raw);
  if (userVars > 0 && delimited === 0) {
    score -= 2;
    problems.push('inserts user input without delimiters');
  }
  const reason = problems.length
    ? `The prompt ${problems.join('; ')}.`
    : 'No secrets, personal data or injection phrases found.';
  const suggestion = secrets.length
    ? 'Remove the credential from the prompt now and rotate it: prompts are copied into logs, evals and provider requests.'
    : pii.length
      ? 'Replace personal data with {{variables}} or placeholders; prompts are stored and sent to providers.'
      : injections.length
        ? 'Remove instruction-override phrases; if you quote adversarial text, put it in a delimited block and say it is data, not instructions.'
        : 'Wrap user-provided variables in delimiters (e.g. <user_input>{{user_input}}</user_input>) and say that text inside is data, not instructions.';
  return dimension('safety', score, reason, suggestion);
}

const WEIGHTS: Record<RuleDimension, number> = {
  role_clarity: 1,
  instruction_quality: 1.25,
  output_format: 1,
  specificity: 1,
  variable_usage: 0.75,
  context_provision: 1,
  length: 0.75,
  safety: 1.5,
};

/** What a chat prompt adds to its rendering: its system messages' contents and its placeholder names. */
interface ChatParts {
  system: string[];
  placeholders: string[];
}

/**
 * Scores a chat version: its messages rendered as its diff renders them (API.md), where a system
 * message that defines a role counts for role clarity and placeholders count as parameterisation.
 */
export function scoreChatRules(messages: readonly PromptMessage[]): RulesEvaluation {
  const system: string[] = [];
  const placeholders: string[] = [];
  for (const m of messages) {
    if (m.role === 'placeholder') placeholders.push(m.name);
    else if (m.role === 'system') system.push(m.content);
  }
  return scoreRules(messagesAsText(messages), { system, placeholders });
}

/** Scores a prompt on the eight rules dimensions, in API.md's order. */
export function scorePromptRules(content: string): RulesEvaluation {
  return scoreRules(content);
}

function scoreRules(content: string, chat?: ChatParts): RulesEvaluation {
  const text: Text = {
    raw: content,
    lower: content.toLowerCase(),
    words: content.split(/\s+/).filter((w) => w.length > 0).length,
    lines: content.split(/\r?\n/),
  };
  const dimensions = [
    roleClarity(text, chat),
    instructionQuality(text),
    outputFormat(text),
    specificity(text),
    variableUsage(text, chat),
    contextProvision(text),
    length(text),
    safety(text),
  ];
  let total = 0;
  let weights = 0;
  for (const d of dimensions) {
    total += d.score * WEIGHTS[d.name];
    weights += WEIGHTS[d.name];
  }
  let score = Math.round((total / weights) * 10) / 10;
  const safetyScore = dimensions[7].score;
  // A prompt that leaks a secret or invites injection must not pass a gate on its other merits.
  if (safetyScore <= 3) score = Math.min(score, safetyScore + 1);
  const suggestions = [...dimensions]
    .filter((d) => d.suggestion !== null)
    .sort((a, b) => a.score - b.score || RULE_DIMENSIONS.indexOf(a.name) - RULE_DIMENSIONS.indexOf(b.name))
    .map((d) => d.suggestion as string);
  return { score, dimensions, suggestions, word_count: text.words };
}
