import { z } from 'zod';
import { ApiTransport, abortableSleep } from './api-transport.ts';
import type { CallOptions } from './jobs-resource.ts';
import { JobsResource } from './jobs-resource.ts';
import type { AssetView, CallbackSecret, ModelInfo } from './types.ts';
import { assetViewSchema, callbackSecretSchema, modelListSchema } from './types.ts';

export interface ReelgateClientOptions {
  /** The server, e.g. `http://localhost:8080`. */
  readonly baseUrl: string;
  /** An API key (`rg_…`). */
  readonly apiKey?: string | undefined;
  /** Retries after the first attempt (default 2). */
  readonly maxRetries?: number;
  /** Per attempt, in milliseconds (default 60 000). */
  readonly timeoutMs?: number;
  /** The fetch to use (default the global one). */
  readonly fetch?: typeof fetch;
  /** Source of jitter, 0 ≤ x < 1 (default Math.random); tests pin it. */
  readonly random?: () => number;
  /** Waits between retries and polls; tests may shorten it. */
  readonly sleep?: (ms: number, signal: AbortSignal | undefined) => Promise<void>;
}

/**
 * The typed Reelgate client, for Node and browsers: models, jobs (create, get, list, cancel,
 * delete, events, wait, callbacks), assets and callback secrets. Node-only helpers (download to a
 * file, upload from a path, webhook verification) are in `./node.ts`.
 */
export class ReelgateClient {
  readonly models: ModelsResource;
  readonly jobs: JobsResource;
  readonly assets: AssetsResource;
  readonly webhooks: WebhooksResource;
  /** The server base URL without a trailing slash. */
  readonly baseUrl: string;

  constructor(options: ReelgateClientOptions) {
    const transport = new ApiTransport({
      baseUrl: options.baseUrl,
      apiKey: options.apiKey,
      maxRetries: options.maxRetries ?? 2,
      timeoutMs: options.timeoutMs ?? 60_000,
      // Bound, so that a browser's window.fetch is not called with the client as `this`.
      fetch: options.fetch ?? ((input, init) => globalThis.fetch(input, init)),
      random: options.random ?? Math.random,
      sleep: options.sleep ?? abortableSleep,
    });
    this.baseUrl = transport.options.baseUrl;
    this.models = new ModelsResource(transport);
    this.jobs = new JobsResource(transport);
    this.assets = new AssetsResource(transport);
    this.webhooks = new WebhooksResource(transport);
  }
}

/** The model catalog. */
export class ModelsResource {
  private readonly transport: ApiTransport;

  constructor(transport: ApiTransport) {
    this.transport = transport;
  }

  /** `GET /v1/models`: every model with its input JSON Schema and prices. */
  async list(options: CallOptions = {}): Promise<ModelInfo[]> {
    const page = await this.transport.json(
      { method: 'GET', path: '/v1/models', signal: options.signal },
      modelListSchema,
    );
    return page.data;
  }
}

/** Uploaded media, usable in any request as `asset://<id>`. */
export class AssetsResource {
  private readonly transport: ApiTransport;

  constructor(transport: ApiTransport) {
    this.transport = transport;
  }

  /** `POST /v1/assets` (multipart): the server checks the file's real type and limits. */
  upload(data: Blob, options: CallOptions & { readonly filename: string }): Promise<AssetView> {
    const form = new FormData();
    form.append('file', data, options.filename);
    return this.transport.json(
      { method: 'POST', path: '/v1/assets', body: form, signal: options.signal },
      assetViewSchema,
    );
  }

  /** `DELETE /v1/assets/{id}`. */
  async delete(id: string, options: CallOptions = {}): Promise<void> {
    await this.transport.json(
      { method: 'DELETE', path: `/v1/assets/${encodeURIComponent(id)}`, signal: options.signal },
      z.looseObject({ deleted: z.literal(true) }),
    );
  }
}

/** The key's callback signing secrets. */
export class WebhooksResource {
  private readonly transport: ApiTransport;

  constructor(transport: ApiTransport) {
    this.transport = transport;
  }

  /**
   * `POST /v1/callback-secrets`: a new signing secret (`whsec_…`, shown once); older secrets keep
   * signing for 24 hours. Verify deliveries with `verifyWebhook` from `./node.ts`.
   */
  createSecret(options: CallOptions & { readonly label?: string } = {}): Promise<CallbackSecret> {
    return this.transport.json(
      {
        method: 'POST',
        path: '/v1/callback-secrets',
        body: options.label === undefined ? {} : { label: options.label },
        // Each call makes a new secret; a blind retry would make two.
        retry: false,
        signal: options.signal,
      },
      callbackSecretSchema,
    );
  }
}
