import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { pathToFileURL } from 'node:url';
import { builtFile } from './support/build.js';

/**
 * libs/runtime's process guard, in a real Node process: a small HTTP server (the built runtime,
 * as the three services load it) that leaves a rejection unhandled or throws from a timer on
 * request, and must go on answering, with each failure logged under an error id.
 */
function script(guarded: boolean): string {
  const runtime = pathToFileURL(builtFile('libs/runtime/src/index.js')).href;
  return `
    import { createServer } from 'node:http';
    import { AppLogger, installProcessGuard } from ${JSON.stringify(runtime)};
    const logger = AppLogger.create('info', 'guarded');
    if (${guarded}) installProcessGuard(logger);
    createServer((req, res) => {
      if (req.url === '/reject') Promise.reject(new Error('a forgotten promise'));
      if (req.url === '/throw') setTimeout(() => { throw new Error('a timer threw'); }, 0);
      res.end('alive');
    }).listen(0, '127.0.0.1', function () { process.stdout.write(JSON.stringify({ port: this.address().port }) + '\\n'); });
  `;
}

interface Child {
  process: ChildProcess;
  base: string;
  lines: () => Array<Record<string, unknown>>;
}

async function start(guarded: boolean): Promise<Child> {
  const child = spawn(process.execPath, ['--input-type=module', '-e', script(guarded)], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
  const lines = () => out.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Record<string, unknown>);
  for (let i = 0; i < 200 && !lines().some((l) => 'port' in l) && child.exitCode === null; i++) await new Promise((r) => setTimeout(r, 25));
  const port = lines().find((l) => 'port' in l)?.port;
  if (typeof port !== 'number') throw new Error(`the script did not start: ${out}`);
  return { process: child, base: `http://127.0.0.1:${port}`, lines };
}

async function stop(child: Child): Promise<void> {
  if (child.process.exitCode !== null || child.process.signalCode !== null) return;
  const exited = once(child.process, 'exit');
  child.process.kill('SIGTERM');
  await exited;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

describe('the process guard', () => {
  it('logs an unhandled rejection and an uncaught exception with an error id, and the process keeps answering', async () => {
    const child = await start(true);
    try {
      expect(await (await fetch(`${child.base}/reject`)).text()).toBe('alive');
      expect(await (await fetch(`${child.base}/throw`)).text()).toBe('alive');
      for (let i = 0; i < 3; i++) expect(await (await fetch(`${child.base}/ping`)).text()).toBe('alive');
      expect(child.process.exitCode).toBeNull();
      // The log lines travel through the child's stdout pipe and may arrive after its answers.
      const errorLines = () => child.lines().filter((l) => l.level === 'error');
      for (let i = 0; i < 200 && errorLines().length < 2; i++) await new Promise((r) => setTimeout(r, 25));
      const errors = errorLines();
      expect(errors).toEqual([
        expect.objectContaining({ msg: 'unhandled promise rejection; still serving', error_id: expect.stringMatching(UUID), err: expect.objectContaining({ message: 'a forgotten promise' }) }),
        expect.objectContaining({ msg: 'uncaught exception; still serving', error_id: expect.stringMatching(UUID), err: expect.objectContaining({ message: 'a timer threw' }) }),
      ]);
      expect(errors[0].error_id).not.toBe(errors[1].error_id);
    } finally {
      await stop(child);
    }
  });

  it('is what keeps it alive: without it the same rejection ends the process', async () => {
    const child = await start(false);
    try {
      const exited = once(child.process, 'exit');
      await fetch(`${child.base}/reject`).catch(() => undefined);
      const [code] = await exited;
      expect(code).not.toBe(0);
      await expect(fetch(`${child.base}/ping`)).rejects.toThrow();
    } finally {
      await stop(child);
    }
  });
});
