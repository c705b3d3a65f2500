import type { FastifyInstance } from 'fastify';
import type { Metrics } from './metrics.ts';

/**
 * `GET /metrics` (Prometheus text format, no API key: scrapers rarely carry one, and it holds
 * counts and timings, never job content — keep it off the public internet or set
 * REELGATE_METRICS=false), and the latency of every request by route pattern (`/v1/jobs/:id`,
 * never the raw URL, so ids and query strings cannot explode the label set; unrouted requests
 * share one `unmatched` label).
 */
export function registerMetricsRoutes(app: FastifyInstance, metrics: Metrics): void {
  app.addHook('onResponse', (request, reply, done) => {
    metrics.httpDuration.observe(
      {
        method: request.method,
        route: request.routeOptions.url ?? 'unmatched',
        status_code: String(reply.statusCode),
      },
      reply.elapsedTime / 1000,
    );
    done();
  });
  app.get(
    '/metrics',
    { schema: { tags: ['Operations'], summary: 'Prometheus metrics' } },
    async (_request, reply) => {
      const { contentType, body } = await metrics.scrape();
      return reply.type(contentType).send(body);
    },
  );
}
