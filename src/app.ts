import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { defaultCatalog } from './catalog/model-catalog.ts';
import { unitPriceOf, withPrices } from './catalog/price-table.ts';
import { KeyAdministration } from './keys/key-administration.ts';
import { KeyPolicy } from './usage/key-policy.ts';
import { UsageReports } from './usage/usage-reports.ts';
import type { Config } from './config.ts';
import { createAuthenticator } from './api/auth.ts';
import type { ApiContext } from './api/api-context.ts';
import { buildServer } from './api/server.ts';
import { AssetService } from './assets/asset-service.ts';
import { createEngines } from './engines/engine-registry.ts';
import { EngineRouter } from './engines/engine-router.ts';
import { InputPreparer } from './inputs/input-preparer.ts';
import { inspectMedia } from './inputs/media-inspect.ts';
import { mediaReferenceIssues } from './inputs/reference-checks.ts';
import { randomSeed } from './jobs/ids.ts';
import { JobService } from './jobs/job-service.ts';
import type { CreatedKey } from './keys/api-keys.ts';
import { ensureStartupKey } from './keys/api-keys.ts';
import { resolveFfmpegBinaries } from './media/ffmpeg-binaries.ts';
import { locateFont } from './media/font.ts';
import { probeVideoFacts } from './pipeline/probe-video-facts.ts';
import { runPostProcessing } from './pipeline/conform-output.ts';
import { deriveImages } from './pipeline/derived-images.ts';
import { Pipeline } from './pipeline/pipeline.ts';
import { createContentSafety } from './safety/content-safety.ts';
import type { JobStore } from './store/job-store.ts';
import { openStore } from './store/open-store.ts';
import { openBlobStore } from './storage/open-blob-store.ts';
import { loadOrCreateSigningSecret } from './storage/signing-secret.ts';
import { UrlSigner } from './storage/url-signer.ts';
import { Worker } from './worker/worker.ts';
import { createCallbackRenderer } from './api/callback-bodies.ts';
import { defaultRetrySchedule } from './webhooks/retry-schedule.ts';
import { WebhookDispatcher } from './webhooks/webhook-dispatcher.ts';
import { WebhookSecrets } from './webhooks/webhook-secrets.ts';
import { CallbackService } from './webhooks/callback-service.ts';
import type { Artifact, Job } from './domain/job.ts';
import { instrumentRunner } from './observability/instrumented-runner.ts';
import { createLogger } from './observability/logger.ts';
import { Metrics } from './observability/metrics.ts';
import { OutputRetention } from './retention/output-retention.ts';
import { RetentionSweeper } from './retention/retention-sweeper.ts';
import { s3MediaOrigins } from './security/security-headers.ts';

export const version = '0.1.0';

/** How long a provider may take to fetch an input we published for it (it fetches at submit). */
const upstreamInputUrlSeconds = 6 * 3600;

/** A running Reelgate process: the API, optionally a worker, and what they share. */
export interface Application {
  readonly config: Config;
  readonly server: FastifyInstance | undefined;
  readonly worker: Worker | undefined;
  readonly store: JobStore;
  readonly logger: Logger;
  /** Base URL the API answers on (after listening). */
  readonly url: string;
  /** A key created at this start because none existed; its secret is shown once. */
  readonly createdKey: CreatedKey | undefined;
  /** The cleanup loop (worker processes with retention on); `sweep()` runs one pass now. */
  readonly retention: RetentionSweeper | undefined;
  /** Graceful stop: no new requests or claims, running jobs get the grace period. */
  close(): Promise<void>;
}

export interface StartOptions {
  /** Serve the HTTP API (false for a worker-only process). */
  readonly api: boolean;
  readonly logger?: Logger;
  /** Clock (epoch ms) for output expiry, signed URL lifetimes and retention; tests move it on. */
  readonly now?: () => number;
}

/** Builds and starts every part of the process that the config and options ask for. */
export async function startApplication(config: Config, options: StartOptions): Promise<Application> {
  const logger = options.logger ?? createLogger(config.logLevel);
  const now = options.now ?? Date.now;
  const store = await openStore(config, {
    onError: (error) => logger.warn({ err: error }, 'database connection lost; reconnecting'),
  });
  const createdKey = await ensureStartupKey(store, config.bootstrapKey);

  let publicUrl = config.publicUrl;
  const signer = new UrlSigner(await loadOrCreateSigningSecret(config.dataDir, config.urlSigningSecret));
  const blobStore = await openBlobStore(config, { publicUrl: () => publicUrl, signer });
  // Retention: a URL never outlives its output, and an expired output has no URL at all.
  const outputs = new OutputRetention({
    outputTtlMs: config.retention.outputTtlMs,
    urlTtlSeconds: config.urlTtlSeconds,
    now,
  });
  const artifactUrl = async (artifact: Artifact, job: Job) => {
    const ttlSeconds = outputs.urlTtlSeconds(job);
    return ttlSeconds === undefined ? undefined : blobStore.url(artifact.blobKey, ttlSeconds);
  };
  const metrics = config.metricsEnabled ? new Metrics(store) : undefined;
  // ComfyUI's models are offered only where ComfyUI servers are configured.
  // The operator's prices (REELGATE_PRICES) over the catalog's: every price shown or quoted is these.
  const catalog = withPrices(defaultCatalog({ comfyui: config.comfyui !== undefined }), config.usage.prices);

  // The worker renders and probes outputs; the API inspects uploaded assets.
  const binaries = resolveFfmpegBinaries({
    ffmpegPath: config.ffmpegPath,
    ffprobePath: config.ffprobePath,
    searchPath: config.searchPath,
  });

  // Content safety: prompt rules at submit; a worker process loads the classifier at start.
  const safety = createContentSafety(config.safety, { ffmpeg: binaries.ffmpeg, logger });

  let worker: Worker | undefined;
  if (config.worker.enabled) {
    const inputs = new InputPreparer({
      blobStore,
      allow: config.fetch.allow,
      allowHttp: config.fetch.allowHttp,
      getAsset: (id) => store.getAsset(id),
      inspect: (file, expectedKind, signal) => inspectMedia(binaries, file, { expectedKind, signal }),
    });
    const engines = createEngines({
      binaries,
      comfyui: config.comfyui,
      logger,
      upstream: {
        settings: config.upstream,
        dependencies: {
          specOf: (model) => catalog.find(model)?.spec,
          // Inputs go to a provider by URL only when REELGATE_UPSTREAM_INPUT_URLS says it can reach us.
          publishInput: async (file, key, contentType) => {
            await blobStore.put(key, { path: file }, contentType);
            return blobStore.url(key, upstreamInputUrlSeconds);
          },
        },
      },
    });
    const router = new EngineRouter({
      engines,
      routes: config.routes,
      modelOf: (model) => catalog.get(model).spec,
    });
    const watermarkFont = locateFont();
    const pipeline = new Pipeline({
      engineFor: (model) => router.engineFor(model),
      blobStore,
      prepareInputs: (job, workdir, signal) => inputs.prepare(job, workdir, signal),
      probeVideo: (file, signal) => probeVideoFacts(binaries, file, signal),
      postProcess: (request) => runPostProcessing(binaries, watermarkFont, request),
      deriveImages: (request) => deriveImages(binaries, request),
      safety: safety.gate,
      scratchDir: path.join(config.dataDir, 'work'),
      logger,
    });
    worker = new Worker({
      store,
      runner: metrics === undefined ? pipeline : instrumentRunner(pipeline, metrics),
      logger,
      concurrency: config.worker.concurrency,
      leaseMs: config.worker.leaseMs,
      pollMs: config.worker.pollMs,
    });
    logger.info({ ffmpeg: binaries.ffmpeg, source: binaries.source, workerId: worker.id }, 'worker ready');
    safety.warm();
  }

  const webhookSecrets = new WebhookSecrets(store);
  const retrySchedule = config.webhooks.retrySeconds ?? defaultRetrySchedule;

  let server: FastifyInstance | undefined;
  if (options.api) {
    // Per-key limits: request windows at authentication, admission (queued, spend) at submit.
    const keyPolicy = new KeyPolicy({ usage: store.usage, defaults: config.usage.defaultLimits, now });
    const context: ApiContext = {
      catalog,
      jobs: new JobService({
        store,
        blobStore,
        maxAttempts: config.worker.maxAttempts,
        screenPrompt: safety.screenPrompt,
        priceOf: (request) => unitPriceOf(catalog.get(request.model).spec, request),
        admissionFor: (ownerKeyId) => keyPolicy.admissionFor(ownerKeyId),
        mediaIssues: (request, ownerKeyId) =>
          mediaReferenceIssues(request, {
            allow: config.fetch.allow,
            allowHttp: config.fetch.allowHttp,
            ownsAsset: async (id) => (await store.getAsset(id))?.ownerKeyId === ownerKeyId,
          }),
      }),
      authenticate: createAuthenticator(store, keyPolicy),
      publicUrl: () => publicUrl,
      artifactUrl,
      outputs,
      drawSeed: randomSeed,
      blobStore,
      urlTtlSeconds: config.urlTtlSeconds,
      now,
      assets: new AssetService({
        store,
        blobStore,
        inspectMedia: (file, expectedKind, signal) =>
          inspectMedia(binaries, file, { expectedKind, ...(signal === undefined ? {} : { signal }) }),
        scratchDir: path.join(config.dataDir, 'work', 'uploads'),
        logger,
      }),
      callbacks: new CallbackService({ store, secrets: webhookSecrets, maxAttempts: retrySchedule.length }),
      keyPolicy,
      keyAdministration: new KeyAdministration({ store, now }),
      usageReports: new UsageReports(store.usage),
    };
    const http = {
      corsOrigins: config.corsOrigins,
      mediaOrigins: config.storage.kind === 's3' ? s3MediaOrigins(config.storage.connection.endpoint) : [],
    };
    server = await buildServer({ context, store, blobStore, signer, logger, version, metrics, http });
    await server.listen({ port: config.port, host: config.host });
    const address = server.server.address();
    if (config.publicUrlDerived && typeof address === 'object' && address !== null) {
      publicUrl = config.publicUrl.replace(/:\d+$/, `:${address.port}`);
    }
  }
  worker?.start();

  // Cleanup runs where the work happens (worker processes); several at once is harmless.
  let retention: RetentionSweeper | undefined;
  if (config.worker.enabled && config.retention.enabled) {
    retention = new RetentionSweeper({ store, blobStore, logger, now, ...config.retention });
    retention.start();
  }

  // Any process may send webhooks: deliveries are leased, so several senders never send one twice.
  let webhooks: WebhookDispatcher | undefined;
  if (config.webhooks.enabled) {
    webhooks = new WebhookDispatcher({
      store,
      secrets: webhookSecrets,
      render: createCallbackRenderer({ catalog, artifactUrl }),
      sender: {
        allow: config.fetch.allow,
        allowHttp: config.fetch.allowHttp,
        timeoutMs: config.webhooks.timeoutMs,
      },
      retry: { scheduleSeconds: retrySchedule, random: Math.random },
      pollMs: config.webhooks.pollMs,
      concurrency: config.webhooks.concurrency,
      logger,
      ...(metrics === undefined
        ? {}
        : {
            onAttempt: (delivery, outcome) =>
              metrics.callbackAttempts.inc({ format: delivery.format, outcome }),
          }),
    });
    webhooks.start();
  }

  return {
    config,
    server,
    worker,
    store,
    logger,
    url: publicUrl,
    createdKey,
    retention,
    async close() {
      if (server !== undefined) await closeWithin(server, config.worker.shutdownGraceMs);
      await worker?.stop(config.worker.shutdownGraceMs);
      await retention?.stop();
      await webhooks?.stop(config.webhooks.timeoutMs);
      await safety.close();
      await store.close();
    },
  };
}

/**
 * Stops the HTTP server: no new connections, in-flight requests may finish, idle keep-alive
 * connections close. A client that stalls mid-download would otherwise hold the shutdown open
 * forever, so whatever is still connected after the grace period is cut.
 */
async function closeWithin(server: FastifyInstance, graceMs: number): Promise<void> {
  const cut = setTimeout(() => server.server.closeAllConnections(), graceMs);
  try {
    await server.close();
  } finally {
    clearTimeout(cut);
  }
}
