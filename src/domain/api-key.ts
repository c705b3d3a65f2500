/** What a key may do: `admin` keys also manage keys and see every key's jobs and usage. */
export const keyScopes = ['admin', 'user'] as const;
export type KeyScope = (typeof keyScopes)[number];

/**
 * A key's own limits. `null` means "the server's default" (configuration); 0 means "no limit".
 * Requests per minute count in fixed one-minute windows kept in the store, so several API
 * processes share them.
 */
export interface KeyLimits {
  /** Most jobs the key may have queued at once (ModelArk: 120 per account). */
  readonly maxQueuedJobs: number | null;
  /** Most jobs of the key that run at once; more wait in the queue. */
  readonly maxRunningJobs: number | null;
  /** Create requests (every POST and DELETE) per minute. */
  readonly createRequestsPerMinute: number | null;
  /** Read requests (every GET) per minute. */
  readonly readRequestsPerMinute: number | null;
  /** USD the key may spend per calendar month (UTC), counting jobs still queued or running. */
  readonly monthlySpendUsd: number | null;
}

/** Limits with every field at "the server's default". */
export const defaultKeyLimits: KeyLimits = {
  maxQueuedJobs: null,
  maxRunningJobs: null,
  createRequestsPerMinute: null,
  readRequestsPerMinute: null,
  monthlySpendUsd: null,
};

/** An API key as stored: only the SHA-256 of the secret is kept, never the secret. */
export interface ApiKey {
  readonly id: string;
  readonly name: string;
  /** The first characters of the secret, shown in listings so a person can tell keys apart. */
  readonly prefix: string;
  readonly secretHash: string;
  readonly createdAt: number;
  readonly revokedAt: number | null;
  readonly scope: KeyScope;
  readonly limits: KeyLimits;
}
