import { METHODS } from 'node:http';
import { MethodNotAllowedException, NotFoundException } from '@nestjs/common';
import type { HttpRequest as Request, HttpResponse as Response, NextFunction } from './http.js';

/** The parts of Express 5's router layers this reads: a route's path matcher and its methods. */
interface RouteLayer {
  match(path: string): unknown;
  route?: { methods: Record<string, boolean> };
}
export interface ExpressApp {
  router: { stack: RouteLayer[] };
}

/**
 * Answers what the router would leave to Express's HTML default: a path no route serves is `404`
 * and a known path asked with a method it does not serve is `405` with `allow`, both in the JSON
 * error shape (through the error filter). `passThrough` prefixes (Swagger UI's static files) are
 * served by middleware rather than routes, so they are left alone. Reads the route table lazily:
 * routes exist only once the application is initialised.
 */
export function routeGate(app: ExpressApp, passThrough: string[]) {
  let routes: RouteLayer[] | null = null;
  const table = () => {
    // `app.all()` routes (Nest's not-found handlers for excluded paths) list every method: they name none.
    routes ??= app.router.stack.filter((l) => l.route && !l.route.methods._all && Object.keys(l.route.methods).length < METHODS.length);
    return routes;
  };
  return (req: Request, res: Response, next: NextFunction): void => {
    const path = req.path;
    if (passThrough.some((p) => path === p || path.startsWith(`${p}/`))) return next();
    const allowed = new Set<string>();
    for (const layer of table()) {
      let matched: unknown;
      try {
        matched = layer.match(path);
      } catch {
        return next(); // a parameter that does not decode: the router answers 400 for it
      }
      if (!matched) continue;
      for (const [method, on] of Object.entries(layer.route?.methods ?? {})) if (on) allowed.add(method.toUpperCase());
    }
    if (allowed.size === 0) return next(new NotFoundException(`Cannot ${req.method} ${path}`));
    if (allowed.has('GET')) allowed.add('HEAD');
    if (allowed.has(req.method)) return next();
    res.setHeader('allow', [...allowed].sort().join(', '));
    if (req.method === 'OPTIONS') {
      res.statusCode = 204;
      res.end();
      return;
    }
    next(new MethodNotAllowedException(`${req.method} is not allowed on ${path}; allowed: ${[...allowed].sort().join(', ')}.`));
  };
}
