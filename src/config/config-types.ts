import type { UpstreamSettings } from '../engines/upstream/upstream-settings.ts';
import type { AllowList } from '../inputs/allow-list.ts';
import type { PriceOverrides } from '../catalog/price-table.ts';
import type { PromptRule } from '../safety/prompt-rules.ts';
import type { SafetyPolicy } from '../safety/safety-policy.ts';
import type { S3ConnectionOptions } from '../storage/s3-connection.ts';

export interface Config {
  readonly port: number;
  readonly host: string;
  /** Absolute path of the data folder (SQLite file, blobs, scratch space). */
  readonly dataDir: string;
  /** Base of every absolute URL the server hands out, without a trailing slash. */
  readonly publicUrl: string;
  /** Whether `publicUrl` was derived from host and port (then it follows the bound port). */
  readonly publicUrlDerived: boolean;
  readonly bootstrapKey: string | undefined;
  readonly worker: {
    readonly enabled: boolean;
    readonly concurrency: number;
    readonly leaseMs: number;
    readonly pollMs: number;
    readonly maxAttempts: number;
    readonly shutdownGraceMs: number;
  };
  readonly urlTtlSeconds: number;
  readonly sqliteSynchronous: 'NORMAL' | 'FULL';
  /** HMAC secret for signed file URLs; when absent one is generated and kept in the data folder. */
  readonly urlSigningSecret: string | undefined;
  /**
   * Media-input fetching: `allow` is REELGATE_FETCH_ALLOW (comma-separated CIDRs and host names the
   * operator opens despite the private-address rules, e.g. for tests or a private media host);
   * `allowHttp` permits plain http:// URLs (https only by default).
   */
  readonly fetch: { readonly allow: AllowList; readonly allowHttp: boolean };
  /**
   * Webhook deliveries: whether this process runs the delivery loop, the per-attempt timeout, the
   * fallback poll, deliveries in flight, and the wait before each attempt (seconds; the first is
   * normally 0). Destinations pass the same address guard as media inputs (`fetch`).
   */
  readonly webhooks: {
    readonly enabled: boolean;
    readonly timeoutMs: number;
    readonly pollMs: number;
    readonly concurrency: number;
    readonly retrySeconds: readonly number[] | undefined;
  };
  /**
   * Content safety: the policy for the NSFW check of inputs and outputs, and the operator's prompt
   * rules (REELGATE_SAFETY_PROMPT_RULES, then the lines of REELGATE_SAFETY_PROMPT_RULES_FILE).
   */
  readonly safety: { readonly policy: SafetyPolicy; readonly promptRules: readonly PromptRule[] };
  /** Where jobs live: the SQLite file in the data folder, or PostgreSQL (DATABASE_URL). */
  readonly database: DatabaseConfig;
  /** Where blobs live: `<data folder>/blobs`, or an S3 bucket (STORAGE_URL) reached as configured. */
  readonly storage: StorageConfig;
  readonly ffmpegPath: string | undefined;
  readonly ffprobePath: string | undefined;
  /** The PATH to search for system binaries (ffmpeg, ffprobe). */
  readonly searchPath: string | undefined;
  readonly logLevel: string;
  /** Operator prices over the catalog's, and the limits of keys that have none of their own. */
  readonly usage: UsageConfig;
  /** ComfyUI servers (REELGATE_COMFYUI_URLS); undefined when none is configured. */
  readonly comfyui: ComfyUiConfig | undefined;
  /** How long outputs and job records are kept, and how this process's cleanup loop runs. */
  readonly retention: RetentionConfig;
  /** Whether `GET /metrics` is served (Prometheus text format). */
  readonly metricsEnabled: boolean;
  /** Origins allowed to call the API from a browser (CORS); empty = CORS off, `*` = any origin. */
  readonly corsOrigins: readonly string[];
  /** Hosted providers as engines (one per provider with an API key), and how they are polled. */
  readonly upstream: UpstreamSettings;
  /** Catalog model id → ordered engine ids (REELGATE_ROUTES); unlisted models use their default. */
  readonly routes: ReadonlyMap<string, readonly string[]>;
}

export interface RetentionConfig {
  /** Outputs and fetched inputs are deleted this long after their job finished. */
  readonly outputTtlMs: number;
  /** Finished job records (with idempotency keys and callback history) are deleted after this. */
  readonly jobRetentionMs: number;
  /** Whether this process runs the cleanup loop (only worker processes do). */
  readonly enabled: boolean;
  readonly intervalMs: number;
  /** Jobs handled per batch, and the pause between batches, so cleanup never hogs the store. */
  readonly batchSize: number;
  readonly pauseMs: number;
}

export interface ComfyUiConfig {
  /** Base URLs of the servers, without a trailing slash. */
  readonly urls: readonly string[];
  /** `client_id` of this process's prompts and sockets; unique per process unless set. */
  readonly clientId: string;
  readonly healthIntervalMs: number;
  /** Prompts this process keeps on one server at a time. */
  readonly slotsPerServer: number;
  /** Socket silence after which the engine polls `/history` + `/queue` and reconnects. */
  readonly stallMs: number;
  /** Folder of operator workflow templates (`*.json`), when set. */
  readonly templatesDir: string | undefined;
}

export interface UsageConfig {
  /** REELGATE_PRICES, else REELGATE_PRICES_FILE's JSON (see `catalog/price-table.ts`); {} for none. */
  readonly prices: PriceOverrides;
  /** Limits of `user` keys that have no value of their own (0 = no limit); admin keys have none. */
  readonly defaultLimits: {
    readonly maxQueuedJobs: number;
    readonly maxRunningJobs: number;
    readonly createRequestsPerMinute: number;
    readonly readRequestsPerMinute: number;
    readonly monthlySpendUsd: number;
  };
}

export type DatabaseConfig =
  | { readonly kind: 'sqlite' }
  | { readonly kind: 'postgres'; readonly url: string; readonly poolSize: number };

export type StorageConfig =
  | { readonly kind: 'local' }
  | {
      readonly kind: 's3';
      readonly bucket: string;
      /** Keys are stored under `<prefix>/`; empty for the bucket's root. */
      readonly prefix: string;
      readonly connection: S3ConnectionOptions;
    };
