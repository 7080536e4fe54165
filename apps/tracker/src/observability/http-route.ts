import type { Request } from 'express';
import { ASSETS_PREFIX } from '../web/assets.service';

/** Label of requests no route matched (404s, probes of unknown paths): one label, never the raw URL. */
export const UNMATCHED_ROUTE = '(unmatched)';

/**
 * The route pattern a request was handled by (`/api/v1/units/:id`), known once routing is done (read it
 * when the response finishes). Never the URL itself, so ids and query strings stay out of metric labels.
 */
const CATCH_ALL = /^\/\{\*\w+\}$/;

export function routeOf(req: Request): string {
  const path = (req.route as { path?: unknown } | undefined)?.path;
  // Nest answers unknown paths with a catch-all route (`/{*all}`): that is no route of ours.
  if (typeof path === 'string' && !CATCH_ALL.test(path)) return `${req.baseUrl ?? ''}${path}`;
  // The pages' files are served by a middleware, not a route.
  if (req.path.startsWith(ASSETS_PREFIX)) return `${ASSETS_PREFIX}*`;
  return UNMATCHED_ROUTE;
}
