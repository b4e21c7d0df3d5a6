import { Controller, Get, Header } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { Public } from '../identity/public.decorator.js';

/**
 * What a browser sees at `/` when the registry has no dashboard build to serve (DASHBOARD_DIR
 * without index.html; dashboard/dashboard-files.ts serves it when there is one): what Promptgate is,
 * how to get the dashboard, and where the API is described. Static and script-free, so it lives
 * under the registry's CSP (inline style only).
 */
export const HOME_PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Promptgate registry</title>
<style>
body { font: 16px/1.5 system-ui, sans-serif; max-width: 40rem; margin: 3rem auto; padding: 0 1rem; color: #1d2330; }
h1 { font-size: 1.6rem; margin-bottom: .25rem; }
code { background: #f1f3f6; padding: .1rem .3rem; border-radius: 3px; }
li { margin: .3rem 0; }
</style>
</head>
<body>
<h1>Promptgate</h1>
<p>Prompt governance: a registry of versioned prompts, a review gate before a version goes live,
evaluations, an append-only audit log, and a low-latency gateway that serves the approved version.</p>
<p>This is the registry, the management API. Its dashboard is served here once it is built, and this
registry found no build: run <code>npm run build</code> (or <code>npm start</code>, which builds it),
or point <code>DASHBOARD_DIR</code> at the build. Meanwhile:</p>
<ul>
<li><a href="/api/docs">API documentation</a> (Swagger UI)</li>
<li><a href="/api/docs-json">OpenAPI document</a> (JSON)</li>
<li>The API itself is under <code>/api/v1</code>; sign in with <code>POST /api/v1/auth/login</code>.</li>
<li>Probes: <a href="/health"><code>/health</code></a> and <a href="/ready"><code>/ready</code></a>.</li>
</ul>
</body>
</html>
`;

@ApiExcludeController()
@Public()
@Controller()
export class HomeController {
  @Get()
  @Header('content-type', 'text/html; charset=utf-8')
  @Header('cache-control', 'no-cache')
  home(): string {
    return HOME_PAGE;
  }
}
