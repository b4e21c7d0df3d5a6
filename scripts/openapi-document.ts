import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { loadRegistryConfig } from '#config';
import { createRegistryApp } from '../apps/registry/src/app.factory.js';
import { buildRegistryOpenApiDocument } from '../apps/registry/src/openapi/registry-openapi.js';

/**
 * Writes the registry's OpenAPI document (the one it serves at /api/docs-json) to a file, without a
 * database or Redis: the Nest app is created in preview mode, where the module graph and the
 * controllers' metadata exist but no provider is instantiated, so nothing connects. The dashboard's
 * build generates its typed API client from this file (apps/dashboard/README.md).
 *
 * Usage: node dist/scripts/openapi-document.js [out-file] (default dist/openapi/registry.json).
 */
async function main(): Promise<void> {
  const out = resolve(process.argv[2] ?? 'dist/openapi/registry.json');
  // Placeholders only: preview mode opens no connection and signs nothing.
  const config = loadRegistryConfig({
    APP_ENV: 'development',
    LOG_LEVEL: 'silent',
    JWT_SECRET: 'openapi-document-preview-placeholder-secret',
    ENCRYPTION_KEY: Buffer.alloc(32, 1).toString('base64'),
  });
  const app = await createRegistryApp(config, { preview: true });
  const document = buildRegistryOpenApiDocument(app);
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, JSON.stringify(document, null, 2) + '\n');
  await app.close();
  console.log(`[openapi] wrote ${out} (${Object.keys(document.paths).length} paths)`);
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error('[openapi] failed:', err);
    process.exit(1);
  },
);
