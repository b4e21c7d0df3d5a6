import { parseCommandLine, positiveInteger } from './args.js';
import { CliError } from './errors.js';

const usage = (argv: string[]) => {
  try {
    parseCommandLine(argv);
  } catch (error) {
    return error instanceof CliError ? [error.code, error.exit, error.message] : error;
  }
  return 'parsed';
};

describe('the command line', () => {
  it.each([
    [['pull', '--env', 'production', 'prompts'], 'pull', ['prompts'], { env: 'production' }],
    [['--env', 'production', 'pull'], 'pull', [], { env: 'production' }],
    [['prompts', 'list', '--json'], 'prompts list', [], { json: true }],
    [['push', '-m', 'Tone'], 'push', [], { message: 'Tone' }],
    [['approve', 'support.tone', '--version', '3', '-m', 'ok'], 'approve', ['support.tone'], { version: '3', message: 'ok' }],
    [['rollback', 'support.tone', '2'], 'rollback', ['support.tone', '2'], {}],
    [['audit', 'verify', '--workspace', 'Team'], 'audit verify', [], { workspace: 'Team' }],
    [['diff', '--exit-code'], 'diff', [], { 'exit-code': true }],
    [['eval', '--judge', 'openai', '--model', 'gpt-4o-mini', '--api-key', 'k'], 'eval', [], { judge: 'openai', model: 'gpt-4o-mini', 'api-key': 'k' }],
  ])('%j is %s', (argv, command, positionals, values) => {
    const line = parseCommandLine(argv);
    expect({ command: line.command, positionals: line.positionals }).toEqual({ command, positionals });
    expect(line.values).toMatchObject(values);
  });

  it.each([
    [[], /^no command given/],
    [['pul'], /^unknown command "pul"/],
    [['prompts', 'lst'], /^unknown command "prompts lst"/],
    [['push', '--force'], /^Unknown option '--force'/],
    [['rollback', 'support.tone'], /^missing arguments; usage: promptgate rollback KEY VERSION/],
    [['diff', 'extra'], /^unexpected argument "extra"/],
    [['push', '-m'], /argument missing/],
  ])('%j is bad usage (exit 2)', (argv, message) => {
    expect(usage(argv)).toEqual(['usage', 2, expect.stringMatching(message)]);
  });

  it('answers help for --help, with or without a command', () => {
    expect(parseCommandLine(['--help'])).toMatchObject({ command: 'help', positionals: [] });
    expect(parseCommandLine(['push', '-h'])).toMatchObject({ command: 'help', positionals: ['push'] });
  });

  it.each([['1', 1], ['42', 42]])('reads %s as the positive integer %d', (text, n) => expect(positiveInteger(text, 'VERSION')).toBe(n));
  it.each(['0', '-1', '1.5', 'v2', '', '01'])('refuses %j as a version number', (text) => expect(() => positiveInteger(text, 'VERSION')).toThrow(CliError));
});
