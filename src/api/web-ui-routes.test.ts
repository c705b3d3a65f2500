import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import { registerWebUiRoutes } from './web-ui-routes.ts';

async function appServing(root: string) {
  const app = Fastify();
  await registerWebUiRoutes(app, { root });
  app.get('/v1/models', async () => ({ data: [] }));
  return app;
}

describe('web UI routes', () => {
  it('answers the UI pages with index.html (no-cache) and hashed assets with a long immutable cache', async () => {
    const root = await mkdtemp(path.join(tmpdir(), 'reelgate-web-'));
    await mkdir(path.join(root, 'assets'));
    await writeFile(path.join(root, 'index.html'), '<!doctype html><title>UI</title>');
    await writeFile(path.join(root, 'assets', 'index-abc123.js'), 'export {};');
    const app = await appServing(root);

    for (const page of ['/', '/sign-in', '/playground', '/library', '/library/01abc']) {
      const reply = await app.inject({ url: page });
      expect(reply.statusCode, page).toBe(200);
      expect(reply.headers['content-type']).toBe('text/html; charset=utf-8');
      expect(reply.headers['cache-control']).toBe('no-cache');
      expect(reply.body).toContain('<title>UI</title>');
    }
    const asset = await app.inject({ url: '/assets/index-abc123.js' });
    expect(asset.statusCode).toBe(200);
    expect(asset.headers['cache-control']).toBe('public, max-age=31536000, immutable');

    // Only the UI's own paths: the API keeps its routes and its 404s.
    expect((await app.inject({ url: '/v1/models' })).json()).toEqual({ data: [] });
    for (const other of ['/v1/unknown', '/library/a/b', '/index.html', '/assets/missing.js']) {
      expect((await app.inject({ url: other })).statusCode, other).toBe(404);
    }
    await app.close();
  });

  it('says how to build the UI when it was never built, instead of failing to start', async () => {
    const app = await appServing(path.join(tmpdir(), 'reelgate-no-such-folder'));
    const reply = await app.inject({ url: '/library' });
    expect(reply.statusCode).toBe(503);
    expect(reply.body).toMatch(/npm run build:web/);
    await app.close();
  });
});
