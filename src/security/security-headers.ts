import type { FastifyInstance } from 'fastify';

export interface SecurityHeaderOptions {
  /**
   * Extra origins media and images may load from in HTML pages (the S3 endpoint when outputs are
   * served from a bucket through presigned URLs); none for local storage.
   */
  readonly mediaOrigins?: readonly string[];
}

/**
 * The Content-Security-Policy of Reelgate's HTML pages (the web UI, a Vite build): everything from
 * this origin only — scripts, styles, fonts and API calls — plus `blob:` and `data:` images and
 * media (previews of a picked file, generated posters). No inline script or style is allowed, no
 * plugin, no framing by another site, no form posting elsewhere.
 */
export function contentSecurityPolicy(mediaOrigins: readonly string[] = []): string {
  const media = ["'self'", 'blob:', 'data:', ...mediaOrigins].join(' ');
  return [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    `img-src ${media}`,
    `media-src ${media}`,
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; ');
}

/**
 * Headers on every response: no MIME sniffing, no Referer leaking a page's URL (signed URLs carry
 * their credential in the query), no framing. HTML pages also get the strict CSP unless the route
 * set its own (Swagger UI at /docs brings one that allows its inline bootstrap by hash).
 */
export function installSecurityHeaders(app: FastifyInstance, options: SecurityHeaderOptions = {}): void {
  const policy = contentSecurityPolicy(options.mediaOrigins);
  // Callback style: no promise per response on the hot path.
  app.addHook('onSend', (_request, reply, payload, done) => {
    reply.header('x-content-type-options', 'nosniff');
    reply.header('referrer-policy', 'no-referrer');
    reply.header('x-frame-options', 'DENY');
    const type = reply.getHeader('content-type');
    if (
      typeof type === 'string' &&
      type.startsWith('text/html') &&
      !reply.hasHeader('content-security-policy')
    ) {
      reply.header('content-security-policy', policy);
    }
    done(null, payload);
  });
}

/**
 * The origins presigned S3 URLs point at, for the CSP: the configured endpoint (and its
 * virtual-hosted bucket subdomains), or AWS's S3 hosts when no endpoint is set.
 */
export function s3MediaOrigins(endpoint: string | undefined): string[] {
  if (endpoint === undefined) return ['https://*.amazonaws.com'];
  const url = new URL(endpoint);
  return [url.origin, `${url.protocol}//*.${url.host}`];
}
