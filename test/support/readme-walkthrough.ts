/**
 * The README's walkthrough as a script and the output it shows.
 *
 * Convention (README.md, "Using it"): every ```sh block directly preceded by a line
 * `<!-- walkthrough -->` belongs to one shell session, run in document order. A comment line
 * `# => <text>` (at the start of a line) is a line the session prints on stdout, written after
 * the command that prints it; commands without one print nothing. So the session's stdout must
 * be exactly the `# => ` lines, in order.
 */
export interface Walkthrough {
  /** The marked blocks joined into one bash script. */
  script: string;
  /** The stdout lines the README shows, in order. */
  expected: string[];
  blocks: number;
}

const MARKED_BLOCK = /^<!-- walkthrough -->\n```sh\n([\s\S]*?)^```$/gm;
const SHOWN_OUTPUT = /^# => (.*)$/;

export function readmeWalkthrough(markdown: string): Walkthrough {
  const bodies = [...markdown.replace(/\r\n/g, '\n').matchAll(MARKED_BLOCK)].map((m) => m[1]);
  const expected = bodies.flatMap((body) => body.split('\n').flatMap((line) => {
    const shown = SHOWN_OUTPUT.exec(line);
    return shown ? [shown[1]] : [];
  }));
  return { script: bodies.join('\n'), expected, blocks: bodies.length };
}

/** Splits a process's stdout into lines, without the empty string after the last newline. */
export function outputLines(stdout: string): string[] {
  const lines = stdout.split('\n');
  if (lines.at(-1) === '') lines.pop();
  return lines;
}
