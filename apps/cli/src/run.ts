import { auditVerify, approve, evaluate, reject, rollback, submit, test } from './commands/review.js';
import { diff, listPrompts, pull, push } from './commands/prompts.js';
import { login, logout } from './commands/login.js';
import type { Outcome } from './commands/outcome.js';
import { parseCommandLine, usageOf, USAGE } from './core/args.js';
import { CliError, EXIT, refusalLine } from './core/errors.js';
import { Context, type Io } from './context.js';

const COMMANDS: Record<string, (ctx: Context) => Promise<Outcome>> = {
  login, logout, 'prompts list': listPrompts, pull, diff, push, submit, eval: evaluate, test, approve, reject, rollback, 'audit verify': auditVerify,
};

/**
 * Runs one command line and answers its exit code (docs/CLI.md, "Exit codes"). With --json the one
 * thing on standard output is a JSON object: `{ok: true, ...}`, or `{ok: false, error: {code,
 * message}}` on a refusal or a failed check; a refusal is also one line on standard error.
 */
export async function run(argv: readonly string[], io: Io): Promise<number> {
  const json = argv.includes('--json');
  const emit = (value: Record<string, unknown>) => io.stdout.write(`${JSON.stringify(value)}\n`);
  try {
    const line = parseCommandLine(argv);
    if (line.command === 'help') {
      io.stdout.write(`${line.positionals[0] ? usageOf(line.positionals[0]) : USAGE}\n`);
      return EXIT.ok;
    }
    const ctx = new Context(line, io, line.command === 'pull' ? line.positionals[0] : undefined);
    const outcome = await COMMANDS[line.command](ctx);
    if (json) emit({ ok: outcome.exit === 0, ...outcome.data, ...(outcome.error ? { error: outcome.error } : {}) });
    else if (outcome.text.length > 0) io.stdout.write(`${outcome.text.join('\n')}\n`);
    if (outcome.error) io.stderr.write(`promptgate: ${outcome.error.code}: ${outcome.error.message}\n`);
    return outcome.exit;
  } catch (error) {
    let failure = error instanceof CliError ? error : new CliError('internal', `unexpected failure: ${error instanceof Error ? error.message : String(error)}`, EXIT.refused);
    // A saved token expires (JWT_TTL_SECONDS): say what to do about it.
    if (failure.code === 'unauthorized' && !argv.includes('login')) {
      failure = new CliError(failure.code, `${failure.message} (the token may have expired: promptgate login again, or set PROMPTGATE_TOKEN)`, failure.exit, failure.extra);
    }
    if (json) emit({ ok: false, error: { code: failure.code, message: failure.message, ...(failure.extra.status ? { status: failure.extra.status } : {}), ...(failure.extra.details === undefined ? {} : { details: failure.extra.details }) } });
    io.stderr.write(`${refusalLine(failure)}\n`);
    return failure.exit;
  }
}
