import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import Fastify, { LogController } from 'fastify';
import type { FastifyBaseLogger, FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { JobStore } from '../store/job-store.ts';
import type { BlobStore } from '../storage/blob-store.ts';
import type { UrlSigner } from '../storage/url-signer.ts';
import type { ApiContext } from './api-context.ts';
import { registerAssetRoutes } from './asset-routes.ts';
import { registerJobRoutes } from './job-routes.ts';
import { registerNeutralJobRoutes } from './neutral-job-routes.ts';
import { registerRunflowCallbackRoutes } from './dialects/runflow/runflow-callback-routes.ts';
import { registerAnyFastRoutes } from './dialects/anyfast/anyfast-routes.ts';
import { registerModelArkRoutes } from './dialects/modelark/modelark-routes.ts';
import { registerOpenAiVideoRoutes } from './dialects/openai/openai-video-routes.ts';
import { registerRunComfyRoutes } from './dialects/runcomfy/runcomfy-routes.ts';
import { registerRunflowRoutes } from './dialects/runflow/runflow-routes.ts';
import { installErrorHandler } from './error-handler.ts';
import { registerFileRoutes } from './file-routes.ts';
import { registerModelRoutes } from './model-routes.ts';
import { registerAdminRoutes } from './admin-routes.ts';
import { registerUsageRoutes } from './usage-routes.ts';
import { registerReadinessRoute } from './readiness-route.ts';
import { registerWebUiRoutes } from './web-ui-routes.ts';
import type { Metrics } from '../observability/metrics.ts';
import { registerMetricsRoutes } from '../observability/metrics-routes.ts';
import {
  installRequestTracing,
  requestIdLogLabel,
  requestIdServerOptions,
} from '../observability/request-id.ts';
import { installBodyLimits } from '../security/body-limits.ts';
import { installCors } from '../security/cors.ts';
import { installSecurityHeaders } from '../security/security-headers.ts';

/** Request bodies above this are refused with 413 (the partner nodes' own cap). */
export const bodyLimitBytes = 64 * 1024 * 1024;

export interface ServerDependencies {
  readonly context: ApiContext;
  readonly store: JobStore;
  readonly blobStore: BlobStore;
  readonly signer: UrlSigner;
  readonly logger: Logger;
  readonly version: string;
  /** Served on `/metrics` and fed with HTTP latencies; absent when metrics are off. */
  readonly metrics?: Metrics | undefined;
  /** CORS origins (none: CORS off) and extra origins the web UI may load media from (CSP). */
  readonly http?: { readonly corsOrigins: readonly string[]; readonly mediaOrigins: readonly string[] };
}

/**
 * Builds the Fastify app: error handling, OpenAPI 3.1 (`/openapi.json`, browsable at `/docs`),
 * health, the model catalog, signed file downloads and the dialects.
 *
 * Request validation is ours (zod, derived from the seed schemas) so that messages name the
 * field and the rule; the JSON Schemas attached to routes are documentation only, hence the
 * pass-through validator and serializer compilers.
 */
export async function buildServer(dependencies: ServerDependencies): Promise<FastifyInstance> {
  const app = Fastify({
    // pino's Logger is a FastifyBaseLogger; the cast keeps the app's type the default one.
    loggerInstance: dependencies.logger as FastifyBaseLogger,
    bodyLimit: bodyLimitBytes,
    // Per-request access logs are off: at thousands of submits a second they would dominate the
    // CPU; errors are still logged by the error handler.
    logController: new LogController({ disableRequestLogging: true, requestIdLogLabel }),
    routerOptions: { ignoreTrailingSlash: true },
    // X-Request-Id accepted (when well-formed) or generated, and logged as `requestId`.
    ...requestIdServerOptions,
  });
  // Before any route: per-route body limits are set as routes are added.
  installBodyLimits(app);
  installRequestTracing(app);
  installCors(app, dependencies.http?.corsOrigins ?? []);
  installSecurityHeaders(app, { mediaOrigins: dependencies.http?.mediaOrigins ?? [] });
  if (dependencies.metrics !== undefined) registerMetricsRoutes(app, dependencies.metrics);
  app.setValidatorCompiler(() => (value) => ({ value }));
  app.setSerializerCompiler(() => (value) => JSON.stringify(value));
  // Every API here takes JSON; a text body is refused with 415 instead of reaching a validator.
  app.removeContentTypeParser('text/plain');
  installErrorHandler(app);

  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Reelgate',
        version: dependencies.version,
        description:
          'Self-hosted asynchronous video generation. Submit a request, poll its status, download the MP4.',
      },
      components: { securitySchemes: { bearerAuth: { type: 'http', scheme: 'bearer' } } },
    },
  });
  // staticCSP: Swagger UI's own policy (its inline bootstrap allowed by hash) replaces ours there.
  await app.register(swaggerUi, { routePrefix: '/docs', staticCSP: true });

  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
  app.get('/health', { schema: { tags: ['Operations'], summary: 'Liveness and job counts' } }, async () => ({
    status: 'ok',
    version: dependencies.version,
    jobs: await unfinishedJobs(dependencies.store),
  }));

  await registerReadinessRoute(app, { store: dependencies.store, blobStore: dependencies.blobStore });
  await registerModelRoutes(app, dependencies.context);
  await registerFileRoutes(app, {
    blobStore: dependencies.blobStore,
    signer: dependencies.signer,
    now: () => dependencies.context.now(),
    outputTtlMs: dependencies.context.outputs.outputTtlMs,
  });
  await registerRunComfyRoutes(app, dependencies.context);
  await registerRunflowRoutes(app, dependencies.context);
  await registerAnyFastRoutes(app, dependencies.context);
  await registerModelArkRoutes(app, dependencies.context);
  await registerOpenAiVideoRoutes(app, dependencies.context);
  await registerAssetRoutes(app, dependencies.context);
  await registerJobRoutes(app, dependencies.context);
  await registerNeutralJobRoutes(app, dependencies.context);
  await registerRunflowCallbackRoutes(app, dependencies.context);
  await registerUsageRoutes(app, dependencies.context);
  await registerAdminRoutes(app, dependencies.context);
  // The browser UI at `/` (its pages only; see web-ui-routes.ts).
  await registerWebUiRoutes(app);
  return app;
}

/**
 * Queued and running jobs for `/health`, read on their partial indexes: a liveness probe must stay
 * cheap however many jobs have finished.
 */
async function unfinishedJobs(store: JobStore): Promise<{ queued: number; running: number }> {
  const counts = { queued: 0, running: 0 };
  for (const row of await store.statistics.countUnfinishedByModel()) {
    if (row.status === 'queued' || row.status === 'running') counts[row.status] += row.count;
  }
  return counts;
}
