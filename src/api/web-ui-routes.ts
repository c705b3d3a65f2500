import { readFile } from 'node:fs/promises';
import path from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply } from 'fastify';

/** Where `web/build-web-ui.ts` writes the built UI (run by `npm start` / `npm test` first). */
export const webUiDirectory = path.resolve(import.meta.dirname, '..', '..', 'web', 'dist');

/**
 * The UI's own pages. Each answers with index.html so a reload or a shared link works; every other
 * path keeps its API meaning (a JSON 404 where nothing is routed), so the UI never shadows /v1/*,
 * /health, /ready, /metrics, /openapi.json or /docs.
 */
export const webUiPages = ['/', '/sign-in', '/playground', '/library', '/library/:id'] as const;

export interface WebUiOptions {
  /** The built UI's folder (default `webUiDirectory`). */
  readonly root?: string;
}

/**
 * Serves the web UI: hashed bundles under `/assets/` with a year-long immutable cache (a new build
 * has new names), and index.html for the UI's pages with `no-cache`, so a deploy shows at once.
 * index.html is read per request, so rebuilding the UI needs no server restart. When the UI was
 * never built (a server started without `npm start`), the pages say how to build it.
 */
export async function registerWebUiRoutes(app: FastifyInstance, options: WebUiOptions = {}): Promise<void> {
  const root = options.root ?? webUiDirectory;
  await app.register(async (scope) => {
    await scope.register(fastifyStatic, {
      root: path.join(root, 'assets'),
      prefix: '/assets/',
      index: false,
      immutable: true,
      maxAge: '365d',
      schemaHide: true,
      // The folder may not exist yet: files are looked up per request, not listed at start.
      wildcard: true,
    });

    const sendIndex = async (_request: unknown, reply: FastifyReply) => {
      const html = await readFile(path.join(root, 'index.html'), 'utf8').catch(() => undefined);
      reply.header('cache-control', 'no-cache');
      if (html === undefined) {
        return reply
          .code(503)
          .type('text/plain; charset=utf-8')
          .send('The web UI is not built. Run `npm run build:web` (npm start does it), then reload.\n');
      }
      return reply.type('text/html; charset=utf-8').send(html);
    };
    for (const page of webUiPages) {
      scope.get(page, { schema: { hide: true } }, sendIndex);
    }
  });
}
