import type { FastifyInstance } from 'fastify';

/** Response headers a browser script may read (ids, paging, downloads, rate limits). */
const exposedHeaders = [
  'x-request-id',
  'content-range',
  'content-disposition',
  'retry-after',
  'x-ratelimit-limit',
  'x-ratelimit-remaining',
  'x-ratelimit-reset',
  'location',
].join(', ');

const allowedMethods = 'GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS';

/** Header names a preflight may ask for are HTTP tokens; anything else is not echoed. */
const headerList = /^\s*[A-Za-z0-9!#$%&'*+.^_`|~-]+(\s*,\s*[A-Za-z0-9!#$%&'*+.^_`|~-]+)*\s*$/;
const defaultAllowedHeaders = 'authorization, content-type, idempotency-key, x-request-id, prefer, range';

/**
 * Cross-origin access for browser clients on other origins. Off (no CORS header at all) unless
 * REELGATE_CORS_ORIGINS names origins, so by default a page elsewhere cannot read the API's
 * answers. `*` allows any origin; that is safe here because the API authenticates with a bearer
 * key a page must hold, never with cookies, so credentials are never allowed.
 *
 * A preflight (OPTIONS with Access-Control-Request-Method) from an allowed origin is answered 204
 * here, whatever the path; one from any other origin falls through to the router (a 404 without
 * CORS headers, which the browser treats as a refusal).
 */
export function installCors(app: FastifyInstance, origins: readonly string[]): void {
  if (origins.length === 0) return;
  const anyOrigin = origins.includes('*');
  const allowed = new Set(origins);
  app.addHook('onRequest', async (request, reply) => {
    if (!anyOrigin) reply.header('vary', 'Origin');
    const origin = request.headers.origin;
    if (origin === undefined || !(anyOrigin || allowed.has(origin))) return;
    reply.header('access-control-allow-origin', anyOrigin ? '*' : origin);
    reply.header('access-control-expose-headers', exposedHeaders);
    const preflightMethod = request.headers['access-control-request-method'];
    if (request.method !== 'OPTIONS' || preflightMethod === undefined) return;
    const requested = request.headers['access-control-request-headers'];
    reply.header('access-control-allow-methods', allowedMethods);
    reply.header(
      'access-control-allow-headers',
      typeof requested === 'string' && headerList.test(requested) ? requested : defaultAllowedHeaders,
    );
    reply.header('access-control-max-age', '600');
    return reply.code(204).send();
  });
}
