import type { ApiKey } from '../domain/api-key.ts';
import type { Asset } from '../domain/asset.ts';
import type { Job, JobError, JobResult, JobStatus, NewJob } from '../domain/job.ts';
import type { FinishedJob } from './finished-jobs.ts';
import type { AssetDeletion } from './kysely/asset-queries.ts';
import type { JobRetention } from './job-retention.ts';
import type { JobStatistics } from './job-statistics.ts';
import type { Admission } from '../domain/usage.ts';
import type { UsageLedger } from './usage-ledger.ts';
import type { WebhookOutbox } from './webhook-outbox.ts';

/**
 * The only code that touches the database. SQLite (embedded) and PostgreSQL (scale-out) implement
 * it, and one contract suite (`contract/job-store-contract.ts`) runs against both.
 *
 * Invariants every implementation keeps:
 * - every state change is a compare-and-set on the current status (and, for a running job, on the
 *   lease owner), so a late worker can never overwrite a cancel or a terminal state;
 * - terminal states never change;
 * - `claimNext` is atomic: two workers never hold the same job.
 */
export interface JobStore {
  /** Creates or upgrades the schema. Safe to call on every start. */
  migrate(): Promise<void>;
  close(): Promise<void>;

  // --- jobs ---------------------------------------------------------------------------------
  /**
   * Inserts a queued job. With an `admission` the job is metered and refused (the AppError
   * `queued_limit_reached` or `spend_limit_reached`) when it would pass its key's limits; the
   * check and the insert are atomic, also across processes sharing the database.
   */
  insertJob(job: NewJob, admission?: Admission): Promise<Job>;
  /**
   * Inserts the job unless the owner already used `idempotency.key` within `idempotency.since`…now;
   * then returns that earlier job instead, with the request hash it was stored with. Atomic: two
   * concurrent calls with one key create one job. A replay is never refused by `admission`.
   */
  insertJobOnce(
    job: NewJob,
    idempotency: IdempotencyClaim,
    admission?: Admission,
  ): Promise<InsertOnceOutcome>;
  getJob(id: string): Promise<Job | undefined>;
  /** Jobs of one owner matching the filters, in `order` of (created_at, id), paged. */
  listJobs(query: ListJobsQuery): Promise<Job[]>;
  /** How many jobs match the query's filters (paging fields ignored). */
  countJobs(query: ListJobsQuery): Promise<number>;
  /**
   * Deletes a finished job's record (succeeded, failed, cancelled or expired) and its idempotency
   * keys. Returns false when the job is unknown or not finished. Its blobs are the caller's to remove.
   */
  deleteJob(id: string): Promise<boolean>;

  /**
   * Atomically takes the oldest claimable queued job (available_at ≤ now), marks it running with
   * a lease for `workerId` until `now + leaseMs`, and increments its attempt.
   */
  claimNext(workerId: string, leaseMs: number, now: number): Promise<Job | undefined>;

  /**
   * Extends the lease and records progress. Returns the job's status after the call: anything but
   * `running` (cancelled, expired, lost to another worker) tells the worker to stop.
   */
  heartbeat(update: HeartbeatUpdate): Promise<HeartbeatOutcome>;

  /** Saves an engine checkpoint for the running attempt. False when the worker lost the job. */
  saveCheckpoint(id: string, workerId: string, checkpoint: unknown, now: number): Promise<boolean>;

  /** running (owned by `workerId`) → succeeded. False when the job was cancelled or lost meanwhile. */
  completeJob(id: string, workerId: string, result: JobResult, now: number): Promise<boolean>;

  /**
   * running (owned by `workerId`) → failed, or back to queued with `retryAt` as its available
   * time when `retryAt` is given and attempts remain. False when the job was cancelled or lost.
   */
  failJob(id: string, workerId: string, error: JobError, now: number, retryAt?: number): Promise<boolean>;

  /**
   * Cancels a job. `queued` always may be cancelled; `running` only with `allowRunning`. Returns the
   * job after the attempt (its status tells whether the cancel won), or undefined when unknown.
   */
  cancelJob(id: string, now: number, options?: { allowRunning?: boolean }): Promise<Job | undefined>;

  /**
   * Lease recovery and deadlines: running jobs whose lease expired before `now` go back to queued,
   * or to failed (`lease_expired`) when their last attempt is used up; queued or running jobs
   * whose deadline passed become expired. Returns how many jobs changed.
   */
  recoverExpired(now: number): Promise<RecoveryReport>;

  /** 0-based position among claimable queued jobs (0 = next); undefined unless the job is queued. */
  queuePosition(id: string): Promise<number | undefined>;

  /**
   * Counts by status. The finished statuses are counted by reading the jobs table (the database
   * keeps no count of them): for tests and operators' tools, never for a probe or a scrape —
   * `/health` and `/metrics` read `statistics.countUnfinishedByModel` and `onJobFinished`.
   */
  countByStatus(): Promise<Record<JobStatus, number>>;

  /**
   * Subscribes to the jobs that this store instance moves to a finished status (succeeded,
   * failed, cancelled, expired), each once, after the write committed. Other processes' jobs are
   * theirs to report. Returns an unsubscribe function.
   */
  onJobFinished(listener: (job: FinishedJob) => void): () => void;

  /**
   * Subscribes to "a job may be claimable now" hints (after an insert or a re-queue). A hint only:
   * workers poll as well. Returns an unsubscribe function.
   */
  onJobAvailable(listener: () => void): () => void;

  // --- API keys -----------------------------------------------------------------------------
  insertApiKey(key: ApiKey): Promise<void>;
  /** An active (not revoked) key by the SHA-256 hex of its secret. */
  findActiveApiKeyByHash(secretHash: string): Promise<ApiKey | undefined>;
  listApiKeys(): Promise<ApiKey[]>;
  /** Revokes by id or by name; returns whether a key was revoked. */
  revokeApiKey(idOrName: string, now: number): Promise<boolean>;
  countActiveApiKeys(): Promise<number>;

  // --- assets -------------------------------------------------------------------------------
  /** Records an uploaded asset whose blob is already stored. Rejects when the id exists. */
  insertAsset(asset: Asset): Promise<void>;
  /** An asset by id, whoever owns it: the caller checks the owner. */
  getAsset(id: string): Promise<Asset | undefined>;
  /** One owner's assets, newest first by (created_at, id), keyset-paged. */
  listAssets(query: ListAssetsQuery): Promise<Asset[]>;
  /**
   * Deletes an asset's record, unless a queued or running job of its owner still uses it (then
   * `usedBy` names that job; checked and deleted atomically). Its blob is the caller's to remove.
   */
  deleteAsset(id: string): Promise<AssetDeletion>;

  // --- webhook outbox -------------------------------------------------------------------------
  /** Callback deliveries, signing secrets and default endpoints (see `webhook-outbox.ts`). */
  readonly webhooks: WebhookOutbox;

  // --- usage and limits ----------------------------------------------------------------------
  /** Key limits, request windows and usage sums (see `usage-ledger.ts`). */
  readonly usage: UsageLedger;

  // --- retention and metrics ----------------------------------------------------------------
  /** Expiring outputs and pruning old records (see `job-retention.ts`). */
  readonly retention: JobRetention;
  /** Counts read at scrape time by `/metrics` (see `job-statistics.ts`). */
  readonly statistics: JobStatistics;
}

export interface ListAssetsQuery {
  readonly ownerKeyId: string;
  readonly limit: number;
  /**
   * Keyset paging: only assets strictly after this asset's row, newest first. An id that is
   * unknown or another owner's yields no assets, so a cursor cannot probe other owners' assets.
   */
  readonly after?: string;
}

export interface ListJobsQuery {
  /** Whose jobs; null lists every owner's (admin views only). */
  readonly ownerKeyId: string | null;
  readonly statuses?: readonly JobStatus[];
  readonly models?: readonly string[];
  readonly ids?: readonly string[];
  /** `desc` (newest first, the default) or `asc`, by (created_at, id). */
  readonly order?: 'asc' | 'desc';
  readonly limit: number;
  /** Keyset paging: only jobs strictly after this job id's row in `order`. */
  readonly after?: string;
  /** Offset paging (page number × size), for APIs that page that way. */
  readonly offset?: number;
}

export interface IdempotencyClaim {
  readonly key: string;
  /** A hash of what the request asked for; the same key with another hash is a conflict. */
  readonly requestHash: string;
  /** Keys older than this (epoch ms) are forgotten (24 h window). */
  readonly since: number;
}

export type InsertOnceOutcome =
  | { readonly created: true; readonly job: Job }
  | { readonly created: false; readonly job: Job; readonly requestHash: string };

export interface HeartbeatUpdate {
  readonly id: string;
  readonly workerId: string;
  readonly leaseMs: number;
  readonly now: number;
  readonly progress?: number;
  readonly stage?: string;
}

export type HeartbeatOutcome =
  { readonly kept: true } | { readonly kept: false; readonly status: JobStatus | undefined };

export interface RecoveryReport {
  readonly requeued: number;
  readonly failed: number;
  readonly expired: number;
}
