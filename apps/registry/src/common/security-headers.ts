import helmet from 'helmet';

/**
 * Helmet's security headers with a CSP that Swagger UI at /api/docs (and a same-origin dashboard)
 * can live under: scripts, styles, fonts and fetches from this origin only, the inline <style>
 * blocks Swagger UI's page carries, data: images, no plugins, no framing. No
 * upgrade-insecure-requests: the registry is often reached over plain http on a private network.
 */
export function securityHeaders() {
  return helmet({
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        'default-src': ["'self'"],
        'base-uri': ["'self'"],
        'connect-src': ["'self'"],
        'font-src': ["'self'", 'data:'],
        'form-action': ["'self'"],
        'frame-ancestors': ["'none'"],
        'img-src': ["'self'", 'data:'],
        'object-src': ["'none'"],
        'script-src': ["'self'"],
        'script-src-attr': ["'none'"],
        'style-src': ["'self'", "'unsafe-inline'"],
      },
    },
    frameguard: { action: 'deny' },
  });
}
