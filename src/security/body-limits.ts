import type { FastifyInstance } from 'fastify';

/** Media may be inlined (data: URIs) or uploaded on these routes: the 64 MB cap of DESIGN §6. */
export const mediaBodyLimitBytes = 64 * 1024 * 1024;

/** Every other route takes a small JSON document (a cancel, a key, a secret, a setting). */
export const smallBodyLimitBytes = 1024 * 1024;

/** POST routes that create a generation or upload media, by URL pattern as registered. */
function carriesMedia(url: string): boolean {
  return (
    url.startsWith('/v1/models/') || // RunComfy and Runflow create routes
    url === '/v1/video/generations' || // AnyFast
    url === '/api/v3/contents/generations/tasks' || // ModelArk
    url === '/v1/videos' || // OpenAI (JSON or multipart)
    url === '/v1/jobs' || // Reelgate's own create route
    url === '/v1/assets' // uploads (multipart; its parser applies its own per-file limits)
  );
}

/**
 * Per-route body limits: the 64 MB server-wide cap stays only where media travels in the body;
 * every other route refuses more than 1 MB with 413, so nobody can make the server buffer and
 * parse 64 MB of JSON on a route that reads three fields (before authentication, too). Must be
 * installed before the routes are registered; a route that sets its own `bodyLimit` keeps it.
 */
export function installBodyLimits(app: FastifyInstance): void {
  app.addHook('onRoute', (route) => {
    if (route.bodyLimit !== undefined || carriesMedia(route.url ?? '')) return;
    route.bodyLimit = smallBodyLimitBytes;
  });
}
