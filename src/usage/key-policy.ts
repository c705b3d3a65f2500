import { defaultKeyLimits } from '../domain/api-key.ts';
import type { ApiKey, KeyLimits } from '../domain/api-key.ts';
import { AppError } from '../domain/app-error.ts';
import type { Admission, RequestKind } from '../domain/usage.ts';
import type { UsageConfig } from '../config.ts';
import type { UsageLedger } from '../store/usage-ledger.ts';

/** Every limit as a number, 0 meaning "no limit". */
export type EffectiveLimits = { readonly [Name in keyof KeyLimits]: number };

export interface KeyPolicyOptions {
  readonly usage: UsageLedger;
  /** The limits of `user` keys without their own (configuration). */
  readonly defaults: UsageConfig['defaultLimits'];
  readonly now: () => number;
}

/** Fixed windows of one minute, aligned to the clock's minutes on every process. */
export const requestWindowMs = 60_000;

const requestLimitNames = {
  create: 'create_requests_per_minute',
  read: 'read_requests_per_minute',
} as const satisfies Record<RequestKind, string>;

/**
 * What a key may do right now: its effective limits (its own, else the defaults — admin keys have
 * none unless given their own, since they could lift them anyway), its request windows, and the
 * admission its next job is checked against. Counters live in the store, so every API process
 * sharing it enforces the same numbers.
 */
export class KeyPolicy {
  readonly #options: KeyPolicyOptions;
  /**
   * The key each id last authenticated as in this process. A submit always follows its own
   * request's authentication, so the admission uses limits read from the store moments earlier;
   * bounded by the number of keys.
   */
  readonly #authenticated = new Map<string, ApiKey>();

  constructor(options: KeyPolicyOptions) {
    this.#options = options;
  }

  /** The key's limits with defaults filled in (0 = no limit). */
  effectiveLimits(key: Pick<ApiKey, 'scope' | 'limits'>): EffectiveLimits {
    const fallback = key.scope === 'admin' ? undefined : this.#options.defaults;
    const pick = (name: keyof KeyLimits) => key.limits[name] ?? fallback?.[name] ?? 0;
    return {
      maxQueuedJobs: pick('maxQueuedJobs'),
      maxRunningJobs: pick('maxRunningJobs'),
      createRequestsPerMinute: pick('createRequestsPerMinute'),
      readRequestsPerMinute: pick('readRequestsPerMinute'),
      monthlySpendUsd: pick('monthlySpendUsd'),
    };
  }

  /**
   * Counts one request of the key in its current window and throws `rate_limited` (429, with the
   * seconds until the window ends) once the window holds more than the key's limit.
   */
  async admitRequest(key: ApiKey, kind: RequestKind): Promise<void> {
    this.#authenticated.set(key.id, key);
    const limits = this.effectiveLimits(key);
    const limit = kind === 'create' ? limits.createRequestsPerMinute : limits.readRequestsPerMinute;
    if (limit === 0) return;
    const now = this.#options.now();
    const windowStart = Math.floor(now / requestWindowMs) * requestWindowMs;
    const count = await this.#options.usage.countRequest(key.id, kind, windowStart);
    if (count <= limit) return;
    const retryAfterSeconds = Math.max(1, Math.ceil((windowStart + requestWindowMs - now) / 1000));
    throw new AppError(
      'rate_limited',
      `rate limit reached: this key may make ${limit} ${kind} requests per minute (${requestLimitNames[kind]}); retry after ${retryAfterSeconds} s`,
      {
        retryAfterSeconds,
        details: { limit: requestLimitNames[kind], max: limit, window_seconds: requestWindowMs / 1000 },
      },
    );
  }

  /**
   * The admission for a new job of `ownerKeyId` (undefined: the key has no job limits, so its job
   * is not metered). A key this process has not seen authenticate gets the defaults of a user key.
   */
  admissionFor(ownerKeyId: string): Admission | undefined {
    const key = this.#authenticated.get(ownerKeyId) ?? { scope: 'user' as const, limits: defaultKeyLimits };
    const limits = this.effectiveLimits(key);
    if (limits.maxQueuedJobs === 0 && limits.maxRunningJobs === 0 && limits.monthlySpendUsd === 0) {
      return undefined;
    }
    return {
      maxQueuedJobs: limits.maxQueuedJobs,
      maxRunningJobs: limits.maxRunningJobs,
      ...(limits.monthlySpendUsd === 0
        ? {}
        : { monthlySpend: { capUsd: limits.monthlySpendUsd, since: monthStart(this.#options.now()) } }),
    };
  }
}

/** The first millisecond of the UTC calendar month that `now` falls in. */
export function monthStart(now: number): number {
  const date = new Date(now);
  return Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), 1);
}

/** GET and HEAD read; every other method (submits, cancels, deletes, uploads) counts as create. */
export function requestKindOf(method: string): RequestKind {
  return method === 'GET' || method === 'HEAD' ? 'read' : 'create';
}
