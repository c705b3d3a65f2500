import type { AssetService } from '../assets/asset-service.ts';
import type { ModelCatalog } from '../catalog/model-catalog.ts';
import type { Artifact } from '../domain/job.ts';
import type { JobService } from '../jobs/job-service.ts';
import type { BlobStore } from '../storage/blob-store.ts';
import type { CallbackService } from '../webhooks/callback-service.ts';
import type { Authenticator } from './auth.ts';

/** What every route module receives: the services below the API, never the database itself. */
export interface ApiContext {
  readonly catalog: ModelCatalog;
  readonly jobs: JobService;
  readonly authenticate: Authenticator;
  /** Base of absolute URLs handed to clients, without a trailing slash. */
  publicUrl(): string;
  /** A signed, expiring download URL for an output. */
  artifactUrl(artifact: Artifact): Promise<string>;
  /** Draws a seed for a request that gave none. */
  drawSeed(): number;
  /** Where outputs live, for routes that stream them (OpenAI `/content`). */
  readonly blobStore: BlobStore;
  /** Lifetime of output URLs handed out, in seconds. */
  readonly urlTtlSeconds: number;
  /** The clock (epoch ms), for times rendered into responses. */
  now(): number;
  /** Uploaded assets: upload, read, list and delete, with ownership enforced. */
  readonly assets: AssetService;
  /** Callback history, redelivery and signing secrets. */
  readonly callbacks: CallbackService;
}
