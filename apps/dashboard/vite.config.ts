import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

/**
 * The dashboard's build: static files under dist/dashboard (index.html and hashed assets under
 * assets/), which the registry serves at `/`. JSX is compiled by Vite's own transformer (automatic
 * runtime); no dev-server plugin is needed for the build.
 */
const root = fileURLToPath(new URL('.', import.meta.url));

export default defineConfig({
  root,
  base: '/',
  publicDir: false,
  oxc: { jsx: { runtime: 'automatic' } },
  build: {
    outDir: fileURLToPath(new URL('../../dist/dashboard', import.meta.url)),
    emptyOutDir: true,
    assetsDir: 'assets',
    sourcemap: false,
    target: 'es2022',
    chunkSizeWarningLimit: 1024,
    rolldownOptions: {
      // Mantine marks its modules "use client" for React Server Components; a client bundle has no use for it.
      onwarn(warning, warn) {
        if (warning.code === 'MODULE_LEVEL_DIRECTIVE') return;
        warn(warning);
      },
    },
  },
  server: {
    // `npm run dev:dashboard` proxies the API to the local registry (REGISTRY_PORT, default 3000).
    proxy: { '/api': `http://127.0.0.1:${process.env.REGISTRY_PORT ?? '3000'}` },
  },
});
