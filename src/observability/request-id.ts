import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';

/** The header a caller (or its proxy) may set to correlate its logs with ours. */
export const requestIdHeader = 'x-request-id';

/** Printable, log-safe and short: letters, digits and `-_.:/+=@`, 1–128 characters. */
const acceptable = /^[A-Za-z0-9._:/+=@-]{1,128}$/;

/**
 * The request id: the caller's `X-Request-Id` when it is acceptable, else a fresh UUID. An
 * unacceptable one (too long, spaces, control characters that could forge log lines) is replaced
 * rather than refused: a tracing header must never fail a request.
 */
export function requestIdOf(request: IncomingMessage): string {
  const given = request.headers[requestIdHeader];
  return typeof given === 'string' && acceptable.test(given) ? given : randomUUID();
}

/** The Fastify option that makes `request.id` the request id. */
export const requestIdServerOptions = { genReqId: requestIdOf } as const;

/** The field every line of a request's logger carries its id in (Fastify's LogController option). */
export const requestIdLogLabel = 'requestId';

/**
 * Echoes the request id on every response (errors and 404s included) and, at `debug` level only,
 * logs each finished request with its headers: the access log is off at `info` because at
 * thousands of submits a second it would dominate the CPU. Secrets in headers and URLs are
 * redacted by the logger (`logger.ts`).
 */
export function installRequestTracing(app: FastifyInstance): void {
  // Callback-style hooks: an async hook costs a promise and a microtask on every request, which
  // shows at thousands of submits a second.
  app.addHook('onRequest', (request, reply, done) => {
    void reply.header(requestIdHeader, request.id);
    done();
  });
  app.addHook('onResponse', (request, reply, done) => {
    // Fastify's logger type omits isLevelEnabled; the instance is pino's (see buildServer).
    if (!(request.log as unknown as Logger).isLevelEnabled('debug')) return done();
    request.log.debug(
      {
        req: { method: request.method, url: request.url, headers: request.headers },
        route: request.routeOptions.url ?? null,
        statusCode: reply.statusCode,
        durationMs: Math.round(reply.elapsedTime * 10) / 10,
      },
      'request completed',
    );
    done();
  });
}
