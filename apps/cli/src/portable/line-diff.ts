export interface DiffLine {
  op: '+' | '-' | ' ';
  text: string;
}
export interface LineDiff {
  lines: DiffLine[];
  added: number;
  removed: number;
}

/**
 * The most steps one diff may spend searching for a shortest edit script (a step is one diagonal
 * tried or one pair of lines compared, about 5-10 ns each). Past it, each region not yet diffed is
 * answered coarsely (all its old lines removed, then all its new lines added): still a correct edit
 * script, no longer the shortest. Under it the diff is minimal.
 */
export const DIFF_WORK_BUDGET = 10_000_000;

/** A diff with what it cost: `steps` spent searching, and whether the budget made it coarse. */
export interface LineDiffResult {
  diff: LineDiff;
  steps: number;
  coarse: boolean;
}

function splitLines(text: string): string[] {
  if (text === '') return [];
  const lines = text.split(/\r?\n/);
  // A trailing newline ends the last line; it does not start an empty one.
  if (lines.at(-1) === '') lines.pop();
  return lines;
}

/**
 * Line diff of `before` -> `after`: a shortest edit script (within DIFF_WORK_BUDGET), removals
 * listed before additions within a change, unchanged lines with op ' '.
 */
export function lineDiff(before: string, after: string): LineDiff {
  return lineDiffWithStats(before, after).diff;
}

/**
 * Myers' O(ND) algorithm in linear space: the middle snake splits each region in two around a point
 * of a shortest path, recursively, so memory stays O(N + M) and time O((N + M) D), capped by `budget`.
 */
export function lineDiffWithStats(before: string, after: string, budget: number = DIFF_WORK_BUDGET): LineDiffResult {
  const oldLines = splitLines(before);
  const newLines = splitLines(after);
  // Lines as small integers: comparisons in the search are then one integer compare each.
  const ids = new Map<string, number>();
  const intern = (lines: string[]) => {
    const out = new Int32Array(lines.length);
    for (let i = 0; i < lines.length; i++) {
      let id = ids.get(lines[i]);
      if (id === undefined) {
        id = ids.size;
        ids.set(lines[i], id);
      }
      out[i] = id;
    }
    return out;
  };
  const a = intern(oldLines);
  const oldIdCount = ids.size;
  const b = intern(newLines);
  const half = Math.ceil((a.length + b.length) / 2);
  const search: Search = {
    a, b, budget, steps: 0, coarse: false,
    forward: new Int32Array(2 * half + 4), backward: new Int32Array(2 * half + 4),
    ops: [],
  };
  // No line in common (b only has ids the old side never used): replacing everything is the shortest script.
  let shared = false;
  for (let j = 0; j < b.length && !shared; j++) shared = b[j] < oldIdCount;
  if (shared) diffRange(search, 0, a.length, 0, b.length);
  else {
    emit(search, '-', 0, a.length, 0, 0);
    emit(search, '+', 0, 0, 0, b.length);
  }

  const lines: DiffLine[] = [];
  let added = 0;
  let removed = 0;
  for (const [op, lo, hi] of groupRemovalsFirst(search.ops)) {
    const source = op === '+' ? newLines : oldLines;
    for (let i = lo; i < hi; i++) lines.push({ op, text: source[i] });
    if (op === '+') added += hi - lo;
    else if (op === '-') removed += hi - lo;
  }
  return { diff: { lines, added, removed }, steps: search.steps, coarse: search.coarse };
}

/** A run of lines: `[op, from, to)` indexes the old lines for ' ' and '-', the new lines for '+'. */
type Run = [DiffLine['op'], number, number];

interface Search {
  a: Int32Array;
  b: Int32Array;
  budget: number;
  steps: number;
  coarse: boolean;
  /** Furthest x per diagonal, forward and backward; shared by every middle-snake search in turn. */
  forward: Int32Array;
  backward: Int32Array;
  ops: Run[];
}

function emit(s: Search, op: DiffLine['op'], aLo: number, aHi: number, bLo: number, bHi: number): void {
  const [lo, hi] = op === '+' ? [bLo, bHi] : [aLo, aHi];
  if (hi > lo) s.ops.push([op, lo, hi]);
}

/** Appends the edit script of a[aLo, aHi) -> b[bLo, bHi) to s.ops, in order. */
function diffRange(s: Search, aLo: number, aHi: number, bLo: number, bHi: number): void {
  const { a, b } = s;
  const start = aLo;
  while (aLo < aHi && bLo < bHi && a[aLo] === b[bLo]) {
    aLo++;
    bLo++;
  }
  emit(s, ' ', start, aLo, 0, 0);
  let suffix = 0;
  while (aHi > aLo && bHi > bLo && a[aHi - 1] === b[bHi - 1]) {
    aHi--;
    bHi--;
    suffix++;
  }
  if (aLo === aHi || bLo === bHi) {
    emit(s, '-', aLo, aHi, 0, 0);
    emit(s, '+', 0, 0, bLo, bHi);
  } else {
    const split = middleSnake(s, aLo, aHi, bLo, bHi);
    if (split === null) {
      s.coarse = true;
      emit(s, '-', aLo, aHi, 0, 0);
      emit(s, '+', 0, 0, bLo, bHi);
    } else {
      diffRange(s, aLo, aLo + split[0], bLo, bLo + split[1]);
      diffRange(s, aLo + split[0], aHi, bLo + split[1], bHi);
    }
  }
  emit(s, ' ', aHi, aHi + suffix, 0, 0);
}

/**
 * A point (x, y), relative to (aLo, bLo), on a shortest path through the region, found by running
 * the forward and backward searches until they overlap (Myers 1986, section 4b); null when the work
 * budget runs out first. The region's ends differ, so the split is never a corner.
 */
function middleSnake(s: Search, aLo: number, aHi: number, bLo: number, bHi: number): [number, number] | null {
  const { a, b, forward: v1, backward: v2 } = s;
  const n = aHi - aLo;
  const m = bHi - bLo;
  const maxD = Math.ceil((n + m) / 2);
  // Diagonals -maxD-1 .. maxD+1 are read.
  const offset = maxD + 1;
  const length = 2 * maxD + 3;
  v1.fill(-1, 0, length);
  v2.fill(-1, 0, length);
  v1[offset + 1] = 0;
  v2[offset + 1] = 0;
  const delta = n - m;
  // With an odd delta the paths meet on a forward step, with an even one on a backward step.
  const front = (delta & 1) !== 0;
  // Diagonals that ran off the grid are not tried again.
  let k1start = 0;
  let k1end = 0;
  let k2start = 0;
  let k2end = 0;
  for (let d = 0; d <= maxD; d++) {
    for (let k1 = -d + k1start; k1 <= d - k1end; k1 += 2) {
      const k1o = offset + k1;
      let x1 = k1 === -d || (k1 !== d && v1[k1o - 1] < v1[k1o + 1]) ? v1[k1o + 1] : v1[k1o - 1] + 1;
      let y1 = x1 - k1;
      const x0 = x1;
      while (x1 < n && y1 < m && a[aLo + x1] === b[bLo + y1]) {
        x1++;
        y1++;
      }
      s.steps += 1 + x1 - x0;
      if (s.steps > s.budget) return null;
      v1[k1o] = x1;
      if (x1 > n) k1end += 2;
      else if (y1 > m) k1start += 2;
      else if (front) {
        const k2o = offset + delta - k1;
        if (k2o >= 0 && k2o < length && v2[k2o] !== -1 && x1 >= n - v2[k2o]) return [x1, y1];
      }
    }
    for (let k2 = -d + k2start; k2 <= d - k2end; k2 += 2) {
      const k2o = offset + k2;
      let x2 = k2 === -d || (k2 !== d && v2[k2o - 1] < v2[k2o + 1]) ? v2[k2o + 1] : v2[k2o - 1] + 1;
      let y2 = x2 - k2;
      const x0 = x2;
      while (x2 < n && y2 < m && a[aHi - x2 - 1] === b[bHi - y2 - 1]) {
        x2++;
        y2++;
      }
      s.steps += 1 + x2 - x0;
      if (s.steps > s.budget) return null;
      v2[k2o] = x2;
      if (x2 > n) k2end += 2;
      else if (y2 > m) k2start += 2;
      else if (!front) {
        const k1o = offset + delta - k2;
        if (k1o >= 0 && k1o < length && v1[k1o] !== -1) {
          const x1 = v1[k1o];
          if (x1 >= n - x2) return [x1, offset + x1 - k1o];
        }
      }
    }
  }
  return null;
}

/** Within each run of changes, list removals before additions, as readers of diffs expect. */
function groupRemovalsFirst(runs: Run[]): Run[] {
  const out: Run[] = [];
  let plus: Run[] = [];
  let minus: Run[] = [];
  const flush = () => {
    out.push(...minus, ...plus);
    plus = [];
    minus = [];
  };
  for (const r of runs) {
    if (r[0] === ' ') {
      flush();
      out.push(r);
    } else (r[0] === '+' ? plus : minus).push(r);
  }
  flush();
  return out;
}
