import type { Request } from 'express';

/** Label of requests no route matched (404s, probes of unknown paths): one label, never the raw URL. */
export const UNMATCHED_ROUTE = '(unmatched)';

/** Nest answers unknown paths with a catch-all route (`/{*all}`): that is no route of ours. */
const CATCH_ALL = /^\/\{\*\w+\}$/;

/**
 * The route pattern a request was handled by (`/api/v1/units/:id`, `/assets/*path`), known once routing
 * is done (read it when the response finishes). Never the URL itself, so ids and query strings stay out
 * of metric labels.
 */
export function routeOf(req: Request): string {
  const path = (req.route as { path?: unknown } | undefined)?.path;
  if (typeof path === 'string' && !CATCH_ALL.test(path)) return `${req.baseUrl ?? ''}${path}`;
  return UNMATCHED_ROUTE;
}
