import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import { contentSecurityPolicy, installSecurityHeaders, s3MediaOrigins } from './security-headers.ts';

describe('security headers', () => {
  it('give HTML pages a strict same-origin CSP that a Vite build satisfies, and JSON none', async () => {
    const app = Fastify();
    installSecurityHeaders(app, { mediaOrigins: s3MediaOrigins('http://127.0.0.1:9000') });
    app.get('/', async (_request, reply) => reply.type('text/html; charset=utf-8').send('<!doctype html>'));
    app.get('/own', async (_request, reply) =>
      reply.header('content-security-policy', "default-src 'none'").type('text/html').send('<p>'),
    );
    app.get('/json', async () => ({ ok: true }));

    const page = await app.inject('/');
    const policy = String(page.headers['content-security-policy']);
    expect(policy).toContain("default-src 'self'");
    expect(policy).toContain("script-src 'self';");
    expect(policy).toContain("style-src 'self';");
    expect(policy).toContain("connect-src 'self'");
    expect(policy).toContain("frame-ancestors 'none'");
    expect(policy).toContain("media-src 'self' blob: data: http://127.0.0.1:9000 http://*.127.0.0.1:9000");
    expect(policy).not.toContain('unsafe-inline');
    expect(page.headers['x-frame-options']).toBe('DENY');
    expect(page.headers['referrer-policy']).toBe('no-referrer');
    expect(page.headers['x-content-type-options']).toBe('nosniff');

    expect((await app.inject('/own')).headers['content-security-policy']).toBe("default-src 'none'");
    const json = await app.inject('/json');
    expect(json.headers['content-security-policy']).toBeUndefined();
    expect(json.headers['x-content-type-options']).toBe('nosniff');
  });

  it('allows images and media from blob: and data: only, besides this origin, for local storage', () => {
    expect(contentSecurityPolicy()).toContain("img-src 'self' blob: data:;");
    expect(s3MediaOrigins(undefined)).toEqual(['https://*.amazonaws.com']);
  });
});
