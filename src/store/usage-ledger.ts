import type { KeyLimits } from '../domain/api-key.ts';
import type { RequestKind, UsageGroup, UsageQuery } from '../domain/usage.ts';

/**
 * The usage half of the JobStore (`store.usage`), one implementation per database: per-key
 * limits, the fixed-window request counters and sums over the usage ledger.
 *
 * The ledger itself is written by the store, not by these methods: a job inserted with a price
 * gets a usage row in the same transaction as its change to `succeeded` (a trigger), and a job
 * inserted with an admission (`JobStore.insertJob`) is checked against its key's limits in the
 * same transaction as its insert. Everything lives in the database, so limits hold across every
 * API process that shares it (decision 0018).
 */
export interface UsageLedger {
  /** Replaces an active key's own limits (null fields: the server's default). False when unknown or revoked. */
  setKeyLimits(keyId: string, limits: KeyLimits): Promise<boolean>;
  /**
   * Counts one request of `kind` in the key's fixed window that starts at `windowStart` (epoch ms,
   * a multiple of the window length) and returns how many the window now holds, this one included.
   * A later window starts again at 1; a request stamped with an earlier window than the stored one
   * (a process whose clock lags) counts into the stored window.
   */
  countRequest(keyId: string, kind: RequestKind, windowStart: number): Promise<number>;
  /** Succeeded jobs that finished in [from, to), summed per group, groups in ascending order. */
  summarize(query: UsageQuery): Promise<UsageGroup[]>;
}
