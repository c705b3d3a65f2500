import type { FastifyRequest } from 'fastify';
import type { AppError } from '../domain/app-error.ts';

/**
 * How a dialect renders an AppError: each API has its own error envelope, while the error itself
 * (code, status, field, issues) is the same everywhere.
 */
export interface ErrorRenderer {
  /** `request` lets a route shared by two dialects pick the envelope by path. */
  (error: AppError, request: FastifyRequest): { readonly status: number; readonly body: unknown };
}

/** Reelgate's own envelope, for routes that belong to no dialect (health, files, models). */
export const neutralErrorRenderer: ErrorRenderer = (error) => ({
  status: error.status,
  body: {
    error: {
      code: error.code,
      message: error.message,
      ...(error.field === undefined ? {} : { field: error.field }),
      ...(error.issues.length === 0 ? {} : { issues: error.issues }),
      ...(error.details === undefined ? {} : { details: error.details }),
    },
  },
});

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Renders errors of this route in its dialect's envelope; neutral when absent. */
    renderError?: ErrorRenderer;
  }
}
