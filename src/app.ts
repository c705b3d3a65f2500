import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { pino } from 'pino';
import type { Logger } from 'pino';
import { defaultCatalog } from './catalog/model-catalog.ts';
import type { Config } from './config.ts';
import { createAuthenticator } from './api/auth.ts';
import type { ApiContext } from './api/api-context.ts';
import { buildServer } from './api/server.ts';
import { AssetService } from './assets/asset-service.ts';
import { createEngines } from './engines/engine-registry.ts';
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

export const version = '0.1.0';

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
  /** Graceful stop: no new requests or claims, running jobs get the grace period. */
  close(): Promise<void>;
}

export interface StartOptions {
  /** Serve the HTTP API (false for a worker-only process). */
  readonly api: boolean;
  readonly logger?: Logger;
}

/** Builds and starts every part of the process that the config and options ask for. */
export async function startApplication(config: Config, options: StartOptions): Promise<Application> {
  const logger = options.logger ?? pino({ level: config.logLevel });
  const store = await openStore(config, {
    onError: (error) => logger.warn({ err: error }, 'database connection lost; reconnecting'),
  });
  const createdKey = await ensureStartupKey(store, config.bootstrapKey);

  let publicUrl = config.publicUrl;
  const signer = new UrlSigner(await loadOrCreateSigningSecret(config.dataDir, config.urlSigningSecret));
  const blobStore = await openBlobStore(config, { publicUrl: () => publicUrl, signer });
  const catalog = defaultCatalog();

  // The worker renders and probes outputs; the API inspects uploaded assets.
  const binaries = resolveFfmpegBinaries({
    ffmpegPath: config.ffmpegPath,
    ffprobePath: config.ffprobePath,
    searchPath: config.searchPath,
  });

  // Content safety: prompt rules at submit; the classifier thread starts on a worker's first check.
  const safety = createContentSafety(config.safety, { ffmpeg: binaries.ffmpeg });

  let worker: Worker | undefined;
  if (config.worker.enabled) {
    const inputs = new InputPreparer({
      blobStore,
      allow: config.fetch.allow,
      allowHttp: config.fetch.allowHttp,
      getAsset: (id) => store.getAsset(id),
      inspect: (file, expectedKind, signal) => inspectMedia(binaries, file, { expectedKind, signal }),
    });
    const engines = createEngines({ binaries });
    const watermarkFont = locateFont();
    const pipeline = new Pipeline({
      engineFor: (model) => engines.get(catalog.get(model).spec.defaultEngine),
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
      runner: pipeline,
      logger,
      concurrency: config.worker.concurrency,
      leaseMs: config.worker.leaseMs,
      pollMs: config.worker.pollMs,
    });
    logger.info({ ffmpeg: binaries.ffmpeg, source: binaries.source, workerId: worker.id }, 'worker ready');
  }

  const webhookSecrets = new WebhookSecrets(store);
  const retrySchedule = config.webhooks.retrySeconds ?? defaultRetrySchedule;

  let server: FastifyInstance | undefined;
  if (options.api) {
    const context: ApiContext = {
      catalog,
      jobs: new JobService({
        store,
        blobStore,
        maxAttempts: config.worker.maxAttempts,
        screenPrompt: safety.screenPrompt,
        mediaIssues: (request, ownerKeyId) =>
          mediaReferenceIssues(request, {
            allow: config.fetch.allow,
            allowHttp: config.fetch.allowHttp,
            ownsAsset: async (id) => (await store.getAsset(id))?.ownerKeyId === ownerKeyId,
          }),
      }),
      authenticate: createAuthenticator(store),
      publicUrl: () => publicUrl,
      artifactUrl: (artifact) => blobStore.url(artifact.blobKey, config.urlTtlSeconds),
      drawSeed: randomSeed,
      blobStore,
      urlTtlSeconds: config.urlTtlSeconds,
      now: Date.now,
      assets: new AssetService({
        store,
        blobStore,
        inspectMedia: (file, expectedKind, signal) =>
          inspectMedia(binaries, file, { expectedKind, ...(signal === undefined ? {} : { signal }) }),
        scratchDir: path.join(config.dataDir, 'work', 'uploads'),
        logger,
      }),
      callbacks: new CallbackService({ store, secrets: webhookSecrets, maxAttempts: retrySchedule.length }),
    };
    server = await buildServer({ context, store, blobStore, signer, logger, version });
    await server.listen({ port: config.port, host: config.host });
    const address = server.server.address();
    if (config.publicUrlDerived && typeof address === 'object' && address !== null) {
      publicUrl = config.publicUrl.replace(/:\d+$/, `:${address.port}`);
    }
  }
  worker?.start();

  // Any process may send webhooks: deliveries are leased, so several senders never send one twice.
  let webhooks: WebhookDispatcher | undefined;
  if (config.webhooks.enabled) {
    webhooks = new WebhookDispatcher({
      store,
      secrets: webhookSecrets,
      render: createCallbackRenderer({
        catalog,
        artifactUrl: (artifact) => blobStore.url(artifact.blobKey, config.urlTtlSeconds),
      }),
      sender: {
        allow: config.fetch.allow,
        allowHttp: config.fetch.allowHttp,
        timeoutMs: config.webhooks.timeoutMs,
      },
      retry: { scheduleSeconds: retrySchedule, random: Math.random },
      pollMs: config.webhooks.pollMs,
      concurrency: config.webhooks.concurrency,
      logger,
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
    async close() {
      if (server !== undefined) await closeWithin(server, config.worker.shutdownGraceMs);
      await worker?.stop(config.worker.shutdownGraceMs);
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
