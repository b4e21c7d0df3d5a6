/** A piece of one of two compared texts: the same in both, or only in this one. */
export interface Marked {
  text: string;
  changed: boolean;
}

/** Words and the whitespace between them, so joining the tokens gives the text back. */
export function tokens(text: string): string[] {
  return text.match(/\s+|[^\s]+/g) ?? [];
}

/** Past this many token pairs the comparison is not worth its cost: every token is marked changed. */
export const WORD_DIFF_MAX_CELLS = 4_000_000;

/**
 * Marks where two answers differ, word by word (a longest common subsequence of their tokens):
 * `before` and `after` each come back as pieces, `changed` where the word is not in the other.
 * Adjacent pieces of the same kind are merged. Used for the live and candidate answers of a test run.
 */
export function wordDiff(before: string, after: string): { before: Marked[]; after: Marked[] } {
  const a = tokens(before);
  const b = tokens(after);
  if (a.length * b.length > WORD_DIFF_MAX_CELLS) {
    return { before: merge(a.map((t) => ({ text: t, changed: true }))), after: merge(b.map((t) => ({ text: t, changed: true }))) };
  }
  // lcs[i][j]: the LCS length of a[i..] and b[j..], in one flat array.
  const w = b.length + 1;
  const lcs = new Uint32Array((a.length + 1) * w);
  for (let i = a.length - 1; i >= 0; i--) {
    for (let j = b.length - 1; j >= 0; j--) {
      lcs[i * w + j] = a[i] === b[j] ? lcs[(i + 1) * w + j + 1] + 1 : Math.max(lcs[(i + 1) * w + j], lcs[i * w + j + 1]);
    }
  }
  const left: Marked[] = [];
  const right: Marked[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    if (a[i] === b[j]) {
      left.push({ text: a[i++], changed: false });
      right.push({ text: b[j++], changed: false });
    } else if (lcs[(i + 1) * w + j] >= lcs[i * w + j + 1]) left.push({ text: a[i++], changed: true });
    else right.push({ text: b[j++], changed: true });
  }
  while (i < a.length) left.push({ text: a[i++], changed: true });
  while (j < b.length) right.push({ text: b[j++], changed: true });
  return { before: merge(left), after: merge(right) };
}

/** Whitespace between two changed words is shown as changed too, so a changed phrase is one mark. */
function merge(pieces: Marked[]): Marked[] {
  const out: Marked[] = [];
  pieces.forEach((piece, k) => {
    const blank = piece.text.trim() === '';
    const changed = blank && !piece.changed ? (pieces[k - 1]?.changed ?? false) && (pieces[k + 1]?.changed ?? false) : piece.changed;
    const last = out.at(-1);
    if (last && last.changed === changed) last.text += piece.text;
    else out.push({ text: piece.text, changed });
  });
  return out;
}
