import { parseArgs, type ParseArgsConfig } from 'node:util';
import { usageError } from './errors.js';

type Options = NonNullable<ParseArgsConfig['options']>;

/** Accepted by every command, anywhere on the line. */
const GLOBAL: Options = {
  url: { type: 'string' },
  workspace: { type: 'string' },
  env: { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
};

const TARGET: Options = { version: { type: 'string' } };

interface CommandSpec { name: string; options: Options; positionals: [min: number, max: number]; usage: string }

export const COMMANDS: CommandSpec[] = [
  { name: 'login', options: { email: { type: 'string' }, token: { type: 'string' } }, positionals: [0, 0], usage: 'login --email EMAIL | --token TOKEN' },
  { name: 'logout', options: {}, positionals: [0, 0], usage: 'logout' },
  { name: 'prompts list', options: {}, positionals: [0, 0], usage: 'prompts list [--env NAME] [--workspace WS]' },
  { name: 'pull', options: { force: { type: 'boolean' } }, positionals: [0, 1], usage: 'pull --env NAME [--workspace WS] [--force] [DIR]' },
  { name: 'diff', options: { 'exit-code': { type: 'boolean' } }, positionals: [0, 0], usage: 'diff [--exit-code]' },
  { name: 'push', options: { message: { type: 'string', short: 'm' }, prune: { type: 'boolean' } }, positionals: [0, 0], usage: 'push -m MESSAGE [--prune]' },
  { name: 'submit', options: TARGET, positionals: [0, 1], usage: 'submit [KEY [--version N]]' },
  { name: 'eval', options: { ...TARGET, judge: { type: 'string' }, model: { type: 'string' }, 'api-key': { type: 'string' } }, positionals: [0, 1], usage: 'eval [KEY [--version N]] [--judge PROVIDER] [--model M] [--api-key K]' },
  { name: 'test', options: { ...TARGET, provider: { type: 'string' }, model: { type: 'string' }, 'api-key': { type: 'string' } }, positionals: [0, 1], usage: 'test [KEY [--version N]] [--provider P] [--model M] [--api-key K]' },
  { name: 'approve', options: { ...TARGET, message: { type: 'string', short: 'm' }, 'override-eval': { type: 'boolean' } }, positionals: [0, 1], usage: 'approve [KEY [--version N]] [-m NOTE] [--override-eval]' },
  { name: 'reject', options: { ...TARGET, message: { type: 'string', short: 'm' } }, positionals: [0, 1], usage: 'reject [KEY [--version N]] -m NOTE' },
  { name: 'rollback', options: { message: { type: 'string', short: 'm' } }, positionals: [2, 2], usage: 'rollback KEY VERSION [-m NOTE]' },
  { name: 'audit verify', options: {}, positionals: [0, 0], usage: 'audit verify [--workspace WS]' },
];

export const USAGE = [
  'usage: promptgate <command> [options]   (docs/CLI.md)',
  '',
  ...COMMANDS.map((c) => `  promptgate ${c.usage}`),
  '',
  'every command: --url URL (or PROMPTGATE_REGISTRY_URL), --json, --workspace WS, --env NAME, -h/--help',
  'exit codes: 0 success, 1 a check failed, 2 bad usage or invalid files, 3 refused by the registry, not logged in or unreachable',
].join('\n');

export interface CommandLine {
  command: string;
  positionals: string[];
  values: Record<string, string | boolean | undefined>;
}

/** The command and its options; anything unknown, missing or extra is bad usage (exit 2). */
export function parseCommandLine(argv: readonly string[]): CommandLine {
  // A first, lenient pass with every command's options tells option values from the command's words.
  const all: Options = Object.assign({}, GLOBAL, ...COMMANDS.map((c) => c.options)) as Options;
  const { positionals: words, values: loose } = parseArgs({ args: [...argv], options: all, allowPositionals: true, strict: false });
  const spec = COMMANDS.find((c) => c.name.split(' ').every((p, i) => words[i] === p))
    ?? COMMANDS.find((c) => c.name.split(' ')[0] === words[0]);
  if (loose.help === true) return { command: 'help', positionals: spec ? [spec.name] : [], values: {} };
  if (words.length === 0) throw usageError('no command given; see promptgate --help');
  if (!spec) throw usageError(`unknown command "${words[0]}"; see promptgate --help`);
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({ args: [...argv], options: { ...GLOBAL, ...spec.options }, allowPositionals: true, strict: true });
  } catch (error) {
    throw usageError(`${(error as Error).message.split('\n')[0].replace(/\. To specify.*$/, '')}; usage: promptgate ${spec.usage}`);
  }
  const parts = spec.name.split(' ');
  const head = parsed.positionals.slice(0, parts.length);
  if (head.join(' ') !== spec.name) throw usageError(`unknown command "${parsed.positionals.slice(0, parts.length).join(' ')}"; usage: promptgate ${spec.usage}`);
  const positionals = parsed.positionals.slice(parts.length);
  const [min, max] = spec.positionals;
  if (positionals.length < min || positionals.length > max) {
    throw usageError(`${positionals.length > max ? `unexpected argument "${positionals[max]}"` : 'missing arguments'}; usage: promptgate ${spec.usage}`);
  }
  return { command: spec.name, positionals, values: parsed.values as Record<string, string | boolean | undefined> };
}

export function usageOf(command: string): string {
  const spec = COMMANDS.find((c) => c.name === command);
  return spec ? `usage: promptgate ${spec.usage}` : USAGE;
}

/** A positive integer given as text (`--version 3`, `rollback KEY 3`), else bad usage. */
export function positiveInteger(value: string, what: string): number {
  if (!/^[1-9][0-9]{0,8}$/.test(value)) throw usageError(`${what} must be a positive integer, not "${value}"`);
  return Number(value);
}
