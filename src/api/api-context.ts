import type { AssetService } from '../assets/asset-service.ts';
import type { ModelCatalog } from '../catalog/model-catalog.ts';
import type { Artifact, Job } from '../domain/job.ts';
import type { OutputRetention } from '../retention/output-retention.ts';
import type { JobService } from '../jobs/job-service.ts';
import type { BlobStore } from '../storage/blob-store.ts';
import type { CallbackService } from '../webhooks/callback-service.ts';
import type { KeyAdministration } from '../keys/key-administration.ts';
import type { KeyPolicy } from '../usage/key-policy.ts';
import type { UsageReports } from '../usage/usage-reports.ts';
import type { Authenticator } from './auth.ts';

/** What every route module receives: the services below the API, never the database itself. */
export interface ApiContext {
  readonly catalog: ModelCatalog;
  readonly jobs: JobService;
  readonly authenticate: Authenticator;
  /** Base of absolute URLs handed to clients, without a trailing slash. */
  publicUrl(): string;
  /**
   * A signed download URL for an output of `job`, expiring no later than the output itself;
   * undefined once the output has expired (see `outputs`).
   */
  artifactUrl(artifact: Artifact, job: Job): Promise<string | undefined>;
  /** When outputs expire; `requireAvailable` is the 410 of routes that hand an output out. */
  readonly outputs: OutputRetention;
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
  /** Per-key limits in force (rendered by the admin routes). */
  readonly keyPolicy: KeyPolicy;
  /** Key management for admin keys (`/v1/admin/keys`). */
  readonly keyAdministration: KeyAdministration;
  /** Usage sums (`/v1/usage`). */
  readonly usageReports: UsageReports;
}
