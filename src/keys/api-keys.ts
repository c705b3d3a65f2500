import { createHash, randomBytes } from 'node:crypto';
import { defaultKeyLimits } from '../domain/api-key.ts';
import type { ApiKey, KeyLimits, KeyScope } from '../domain/api-key.ts';
import type { JobStore } from '../store/job-store.ts';
import { uuidv7 } from '../jobs/ids.ts';

/**
 * API keys: random secrets shown once, stored as SHA-256. A plain hash (not a slow KDF) is right
 * here because the secrets are 256-bit random strings, not guessable passwords, and every
 * request is authenticated with one lookup.
 */
const secretPrefix = 'rg_';

export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}

export function generateSecret(): string {
  return `${secretPrefix}${randomBytes(32).toString('base64url')}`;
}

export interface CreatedKey {
  readonly key: ApiKey;
  /** The secret itself: shown once, never stored. */
  readonly secret: string;
}

/**
 * Creates a key (with a given secret, for the bootstrap key, or a fresh one): an ordinary `user`
 * key at the server's default limits unless told otherwise.
 */
export async function createApiKey(
  store: JobStore,
  name: string,
  options: { secret?: string; now?: number; scope?: KeyScope; limits?: KeyLimits } = {},
): Promise<CreatedKey> {
  const secret = options.secret ?? generateSecret();
  const now = options.now ?? Date.now();
  const key: ApiKey = {
    id: uuidv7(now),
    name,
    prefix: secret.slice(0, 8),
    secretHash: hashSecret(secret),
    createdAt: now,
    revokedAt: null,
    scope: options.scope ?? 'user',
    limits: options.limits ?? defaultKeyLimits,
  };
  await store.insertApiKey(key);
  return { key, secret };
}

/**
 * Start-up key provisioning: the bootstrap secret (when configured) is made valid, and a server
 * with no keys at all creates one. Both are the operator's `admin` keys (a key that already exists
 * keeps its scope). Returns a secret to print once, if one was created.
 */
export async function ensureStartupKey(
  store: JobStore,
  bootstrapSecret: string | undefined,
): Promise<CreatedKey | undefined> {
  if (bootstrapSecret !== undefined) {
    const exists = async () =>
      (await store.findActiveApiKeyByHash(hashSecret(bootstrapSecret))) !== undefined;
    if (!(await exists())) {
      await createUnlessRaced(
        async () =>
          createApiKey(store, uniqueName('bootstrap', await store.listApiKeys()), {
            secret: bootstrapSecret,
            scope: 'admin',
          }),
        exists,
      );
    }
    return undefined;
  }
  // With no active key, the name "default" is free; a second process racing for it loses.
  const exists = async () => (await store.countActiveApiKeys()) > 0;
  if (await exists()) return undefined;
  return createUnlessRaced(() => createApiKey(store, 'default', { scope: 'admin' }), exists);
}

/**
 * Several processes may start at once on one database (scale-out): each sees no key and creates
 * one, and all but the first hit the unique secret or name. Losing that race is fine — the key
 * the process wanted exists — so only a failure that left no key is an error.
 */
async function createUnlessRaced(
  create: () => Promise<CreatedKey>,
  exists: () => Promise<boolean>,
): Promise<CreatedKey | undefined> {
  try {
    return await create();
  } catch (error) {
    if (await exists()) return undefined;
    throw error;
  }
}

function uniqueName(base: string, existing: readonly ApiKey[]): string {
  const taken = new Set(existing.map((key) => key.name));
  if (!taken.has(base)) return base;
  let suffix = 2;
  while (taken.has(`${base}-${suffix}`)) suffix += 1;
  return `${base}-${suffix}`;
}
