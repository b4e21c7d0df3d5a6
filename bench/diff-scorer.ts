/**
 * Diff and rules-scorer benchmark: the line diff (GET /versions/:id/diff) on 4,000 lines a side
 * and on 256 KiB contents, and the rules scorer on 256 KiB prompts of the shapes that made its
 * former regular expressions quadratic. Pure functions, in-process, no network.
 * Run: npm run bench:diff-scorer
 */
import { DIFF_WORK_BUDGET, lineDiffWithStats, PROMPT_CONTENT_MAX_BYTES, scorePromptRules } from '#domain';

const RUNS = 5;
const SIZE = PROMPT_CONTENT_MAX_BYTES;

/** Deterministic pseudo-random numbers, so every run measures the same inputs. */
function seeded(seed: number): () => number {
  let x = seed;
  return () => {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    return x / 2 ** 32;
  };
}

/** Lines joined with \n, cut to at most `bytes` (ASCII, so characters are bytes). */
function upTo(bytes: number, line: (i: number) => string): string {
  const out: string[] = [];
  let size = 0;
  for (let i = 0; ; i++) {
    const l = line(i);
    if (size + l.length + 1 > bytes) break;
    out.push(l);
    size += l.length + 1;
  }
  return out.join('\n');
}

const ms = (start: bigint) => Number(process.hrtime.bigint() - start) / 1e6;
const mib = (bytes: number) => (bytes / 1024 / 1024).toFixed(1);
const gc = (globalThis as { gc?: () => void }).gc;

function timeRuns<T>(fn: () => T): { median: number; max: number; last: T } {
  const times: number[] = [];
  let last!: T;
  for (let i = 0; i < RUNS; i++) {
    const start = process.hrtime.bigint();
    last = fn();
    times.push(ms(start));
  }
  times.sort((a, b) => a - b);
  return { median: times[Math.floor(times.length / 2)], max: times[times.length - 1], last };
}

function benchDiff(name: string, before: string, after: string): void {
  gc?.();
  const heapBefore = process.memoryUsage().heapUsed;
  const once = lineDiffWithStats(before, after);
  const heapAfter = process.memoryUsage().heapUsed;
  const { median, max } = timeRuns(() => lineDiffWithStats(before, after));
  console.log(`diff   ${name.padEnd(52)} ${median.toFixed(1).padStart(8)} ms median ${max.toFixed(1).padStart(8)} ms max`
    + `  steps ${String(once.steps).padStart(9)}  coarse ${String(once.coarse).padEnd(5)}`
    + `  +${once.diff.added} -${once.diff.removed}  heap +${mib(heapAfter - heapBefore)} MiB`);
}

function benchScorer(name: string, content: string): void {
  const { median, max, last } = timeRuns(() => scorePromptRules(content));
  console.log(`score  ${name.padEnd(52)} ${median.toFixed(1).padStart(8)} ms median ${max.toFixed(1).padStart(8)} ms max  score ${last.score}`);
}

function main(): void {
  console.log(`node ${process.version}, ${RUNS} runs each, DIFF_WORK_BUDGET ${DIFF_WORK_BUDGET} steps, content cap ${SIZE} bytes${gc ? '' : ' (run with --expose-gc for heap figures)'}`);

  const distinctA = Array.from({ length: 4000 }, (_, i) => `old line ${i} ${'x'.repeat(20)}`).join('\n');
  const distinctB = Array.from({ length: 4000 }, (_, i) => `new line ${i} ${'y'.repeat(20)}`).join('\n');
  benchDiff('4,000 distinct lines each side', distinctA, distinctB);

  const random = seeded(42);
  const vocab = (n: number) => () => `line ${Math.floor(random() * n)}`;
  const sharedA = Array.from({ length: 4000 }, vocab(200)).join('\n');
  const sharedB = Array.from({ length: 4000 }, vocab(200)).join('\n');
  benchDiff('4,000 lines each side from 200 shared lines', sharedA, sharedB);

  const base = upTo(SIZE, (i) => `Line ${i}: answer the customer in {{language}}.`);
  const edited = base.split('\n');
  for (let i = 0; i < edited.length; i += 500) edited[i] = `Changed line ${i}.`;
  benchDiff('256 KiB, every 500th line changed', base, edited.join('\n'));

  benchDiff('256 KiB each side, all lines distinct', upTo(SIZE, (i) => `old ${i}`), upTo(SIZE, (i) => `new ${i}`));
  const small = (n: number) => () => `l${Math.floor(random() * n)}`;
  benchDiff('256 KiB each side from 50 shared lines (budget)', upTo(SIZE, small(50)), upTo(SIZE, small(50)));

  const fill = (head: string, unit: string) => (head + unit.repeat(Math.ceil(SIZE / unit.length))).slice(0, SIZE);
  benchScorer('256 KiB of newlines', fill('', '\n'));
  benchScorer('256 KiB "{{" then a brace-free run', fill('{{', '.'));
  benchScorer('256 KiB "{{" then spaces and words', fill('{{', ' a.'));
  benchScorer('256 KiB dotted run without "@"', fill('', 'a.'));
  benchScorer('256 KiB "@" then a dotted run', fill('a@', 'a.'));
  benchScorer('256 KiB ordinary prose', upTo(SIZE, (i) => `You are a support agent. Answer question ${i} in {{language}}; never promise refunds.`));
}

main();
