/** One line of the API's diff (`GET /versions/:id/diff` lines). */
export interface DiffLine {
  op: '+' | '-' | ' ';
  text: string;
}

/** A row of the side-by-side view: the old line on the left, the new on the right; a missing side is null. */
export interface SideBySideRow {
  left: { num: number; text: string; changed: boolean } | null;
  right: { num: number; text: string; changed: boolean } | null;
}

/**
 * Pairs the API's diff lines into side-by-side rows: an unchanged line on both sides; within a
 * change (a run of removals and additions), the n-th removed line beside the n-th added one, the
 * longer side's surplus beside nothing. Line numbers count each side's lines from 1.
 */
export function sideBySide(lines: readonly DiffLine[]): SideBySideRow[] {
  const rows: SideBySideRow[] = [];
  let leftNum = 0;
  let rightNum = 0;
  let i = 0;
  while (i < lines.length) {
    if (lines[i].op === ' ') {
      rows.push({ left: { num: ++leftNum, text: lines[i].text, changed: false }, right: { num: ++rightNum, text: lines[i].text, changed: false } });
      i++;
      continue;
    }
    const removed: string[] = [];
    const added: string[] = [];
    while (i < lines.length && lines[i].op !== ' ') {
      (lines[i].op === '-' ? removed : added).push(lines[i].text);
      i++;
    }
    for (let k = 0; k < Math.max(removed.length, added.length); k++) {
      rows.push({
        left: k < removed.length ? { num: ++leftNum, text: removed[k], changed: true } : null,
        right: k < added.length ? { num: ++rightNum, text: added[k], changed: true } : null,
      });
    }
  }
  return rows;
}
