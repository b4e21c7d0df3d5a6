import { readPassword } from './terminal.js';
import { run } from './run.js';

process.exitCode = await run(process.argv.slice(2), {
  env: process.env,
  cwd: process.cwd(),
  stdout: process.stdout,
  stderr: process.stderr,
  readPassword: () => readPassword(process.stdin, process.stderr),
});
