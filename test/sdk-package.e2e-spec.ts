import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL('..', import.meta.url));
const SDK = join(ROOT, 'libs/sdk');

/** What its README says: `npm pack` gives a tarball that installs and runs with plain node, without TypeScript or the monorepo. */
describe('@promptgate/sdk as an npm package', () => {
  let dir: string;
  let tarball: string;
  let files: string[];
  let server: Server;
  let baseUrl: string;
  const requests: { url: string; authorization: string | undefined }[] = [];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'promptgate-sdk-'));
    const packed = await run('npm', ['pack', '--json', '--pack-destination', dir], { cwd: SDK, timeout: 120_000 });
    const [info] = JSON.parse(packed.stdout.slice(packed.stdout.indexOf('['))) as { filename: string; files: { path: string }[] }[];
    tarball = join(dir, info.filename);
    files = info.files.map((f) => f.path).sort();

    // Answers as the gateway does (API.md, "Gateway"): the JSON form of a served prompt, or the error shape.
    server = createServer((req, res) => {
      requests.push({ url: req.url ?? '', authorization: req.headers.authorization });
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      res.setHeader('content-type', 'application/json');
      if (url.pathname === '/v1/serve/support.greeting') {
        const name = url.searchParams.getAll('vars').find((v) => v.startsWith('first_name='))?.slice('first_name='.length);
        res.setHeader('etag', '"v2"');
        res.end(JSON.stringify({ key: 'support.greeting', version: 2, content: `Hello ${name ?? '{{first_name}}'}, warmly.`, unfilled_variables: name ? [] : ['first_name'] }));
      } else {
        res.statusCode = 404;
        res.end(JSON.stringify({ error: { code: 'prompt_not_found', message: 'no live version' } }));
      }
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }, 180_000);

  afterAll(async () => {
    await new Promise((resolve) => server?.close(resolve));
    rmSync(dir, { recursive: true, force: true });
  });

  it('packs built JavaScript with its type declarations, the README and package.json, and no TypeScript source', () => {
    expect(files).toEqual(expect.arrayContaining(['package.json', 'README.md', 'dist/index.js', 'dist/index.d.ts']));
    // dist/portable/ is the gateway's own substitution code (libs/domain/src/portable), shipped as is.
    expect(files.filter((f) => !/^dist\/(portable\/)?[\w-]+\.(js|d\.ts)$/.test(f) && f !== 'package.json' && f !== 'README.md')).toEqual([]);
    expect(files).toEqual(expect.arrayContaining(['dist/portable/messages.js', 'dist/portable/template.js']));
    expect(files.filter((f) => f.endsWith('.js')).map((f) => f.replace(/\.js$/, '.d.ts')).filter((d) => !files.includes(d))).toEqual([]);
  });

  it('installs into a fresh project offline, bringing no other package, and serves a prompt with plain node', async () => {
    const app = join(dir, 'app');
    mkdirSync(app);
    writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module' }));
    await run('npm', ['install', '--offline', '--ignore-scripts', '--no-audit', '--no-fund', tarball], { cwd: app, timeout: 120_000 });
    expect(readdirSync(join(app, 'node_modules')).filter((f) => !f.startsWith('.'))).toEqual(['@promptgate']);

    writeFileSync(
      join(app, 'consumer.mjs'),
      `import { Promptgate, PromptgateNotFoundError } from '@promptgate/sdk';
const pg = new Promptgate({ apiKey: 'pg_test_packaged', baseUrl: process.argv[2] });
const served = await pg.serveJson('support.greeting', { variables: { first_name: 'Ada' } });
let missing;
try { await pg.serve('nothing.here'); } catch (error) { missing = { notFound: error instanceof PromptgateNotFoundError, code: error.code }; }
console.log(JSON.stringify({ served, missing }));
`,
    );
    const out = await run(process.execPath, ['consumer.mjs', baseUrl], { cwd: app, timeout: 30_000, env: { PATH: process.env.PATH ?? '' } });
    expect(JSON.parse(out.stdout)).toEqual({
      served: { key: 'support.greeting', version: 2, content: 'Hello Ada, warmly.', unfilledVariables: [], stale: false, source: 'network' },
      missing: { notFound: true, code: 'prompt_not_found' },
    });
    expect(requests[0]).toEqual({ url: '/v1/serve/support.greeting?format=json&vars=first_name%3DAda', authorization: 'Bearer pg_test_packaged' });

    // Its declarations type-check a consumer through `exports` (strict, nodenext); @ts-expect-error proves they are not `any`.
    writeFileSync(
      join(app, 'consumer.ts'),
      `import { Promptgate, type ServedPrompt } from '@promptgate/sdk';
const pg = new Promptgate({ apiKey: 'pg_test_packaged' });
export const served: Promise<ServedPrompt> = pg.serveJson('support.greeting', { version: 2 });
// @ts-expect-error version is a number
export const wrong = pg.serve('support.greeting', { version: 'two' });
`,
    );
    writeFileSync(
      join(app, 'tsconfig.json'),
      JSON.stringify({ compilerOptions: { target: 'ES2022', module: 'nodenext', moduleResolution: 'nodenext', strict: true, noEmit: true, lib: ['ES2022', 'DOM'], types: [] }, files: ['consumer.ts'] }),
    );
    const tsc = join(ROOT, 'node_modules/typescript/bin/tsc');
    await expect(run(process.execPath, [tsc, '-p', 'tsconfig.json'], { cwd: app, timeout: 60_000 })).resolves.toMatchObject({ stdout: '' });
  }, 180_000);
});
