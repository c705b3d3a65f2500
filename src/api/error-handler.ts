import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from '../domain/app-error.ts';
import { neutralErrorRenderer } from './dialect-renderer.ts';

/**
 * The one error handler. Framework errors (bad JSON, oversized body, wrong content type) become
 * AppErrors with 4xx codes, so a client mistake is never a 5xx; anything unexpected is logged
 * and rendered as an internal error without leaking its message.
 */
export function installErrorHandler(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError, request: FastifyRequest, reply: FastifyReply) => {
    const appError = toClientError(error, request);
    if (appError.status >= 500) request.log.error({ err: error }, 'request failed');
    const render = request.routeOptions.config.renderError ?? neutralErrorRenderer;
    const rendered = render(appError, request);
    if (appError.retryAfterSeconds !== undefined)
      void reply.header('retry-after', appError.retryAfterSeconds);
    void reply.status(rendered.status).send(rendered.body);
  });
  app.setNotFoundHandler((request, reply) => {
    const rendered = neutralErrorRenderer(
      new AppError('not_found', `no route for ${request.method} ${request.url.split('?')[0] ?? ''}`),
      request,
    );
    void reply.status(rendered.status).send(rendered.body);
  });
}

function toClientError(error: FastifyError, request: FastifyRequest): AppError {
  if (error instanceof AppError) return error;
  const status = error.statusCode ?? 500;
  if (error.code === 'FST_ERR_CTP_BODY_TOO_LARGE' || status === 413) {
    // Limits differ per route (src/security/body-limits.ts): name the one this route has.
    const limit = request.routeOptions.bodyLimit ?? request.server.initialConfig.bodyLimit ?? 0;
    return new AppError(
      'payload_too_large',
      `the request body is larger than this route's ${formatBytes(limit)} limit`,
    );
  }
  if (error instanceof SyntaxError || error.code === 'FST_ERR_CTP_INVALID_JSON_BODY') {
    return new AppError('invalid_json', `the request body is not valid JSON: ${error.message}`, {
      status: 400,
    });
  }
  if (error.code === 'FST_ERR_CTP_EMPTY_JSON_BODY') {
    return new AppError('invalid_json', 'the request body is empty; send a JSON object', { status: 400 });
  }
  if (error.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE' || status === 415) {
    return new AppError(
      'invalid_json',
      'this route does not accept that Content-Type; send application/json (routes that take files also accept multipart/form-data)',
      { status: 415 },
    );
  }
  if (status >= 400 && status < 500) {
    return new AppError('invalid_json', error.message, { status });
  }
  return new AppError('internal_error', 'internal server error');
}

/** 67108864 → "64 MB", 1048576 → "1 MB", 1536 → "1536 bytes". */
function formatBytes(bytes: number): string {
  const megabytes = bytes / (1024 * 1024);
  return Number.isInteger(megabytes) && megabytes > 0 ? `${megabytes} MB` : `${bytes} bytes`;
}
