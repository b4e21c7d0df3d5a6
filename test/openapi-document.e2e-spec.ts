import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import request from 'supertest';
import { bootRegistry, type RegistryHarness } from '../apps/registry/test/support/registry.js';
import { builtFile, ROOT } from './support/build.js';

/**
 * The dashboard's typed client is generated in the build from scripts/openapi-document.ts, which
 * builds the registry's OpenAPI document with the Nest app in preview mode: no database, no Redis.
 * That document must be the one a running registry serves, or the client would drift from the API.
 */
const run = promisify(execFile);

describe('scripts/openapi-document (the document the dashboard client is generated from)', () => {
  let registry: RegistryHarness;
  const dir = mkdtempSync(join(tmpdir(), 'openapi-document-'));

  beforeAll(async () => {
    registry = await bootRegistry();
  });
  afterAll(async () => {
    await registry?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('writes, without a database or Redis, exactly the document the running registry serves', async () => {
    const out = join(dir, 'registry.json');
    // Nothing to connect to: unreachable database and Redis addresses in the environment change nothing.
    const { stdout } = await run(process.execPath, [builtFile('scripts/openapi-document.js'), out], {
      cwd: ROOT,
      env: { PATH: process.env.PATH, DATABASE_URL: 'postgres://nobody@127.0.0.1:1/none', REDIS_URL: 'redis://127.0.0.1:1' },
      timeout: 60_000,
    });
    expect(stdout).toMatch(/\[openapi\] wrote .*registry\.json \(\d+ paths\)/);
    const written = JSON.parse(readFileSync(out, 'utf8')) as { openapi: string; paths: Record<string, unknown> };
    const served = await request(registry.http).get('/api/docs-json').expect(200);
    expect(written).toEqual(served.body);
    expect(Object.keys(written.paths)).toEqual(expect.arrayContaining(['/api/v1/me', '/api/v1/versions/{id}/diff']));
  });

  it('fails with a message, not a half-written file, when it cannot write', async () => {
    const blocked = join(ROOT, 'package.json', 'registry.json');
    await expect(run(process.execPath, [builtFile('scripts/openapi-document.js'), blocked], { cwd: ROOT, env: { PATH: process.env.PATH }, timeout: 60_000 }))
      .rejects.toMatchObject({ code: 1, stderr: expect.stringContaining('[openapi] failed') });
  });
});
