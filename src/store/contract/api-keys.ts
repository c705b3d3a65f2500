import { describe, expect, it } from 'vitest';
import type { ContractContext } from './contract-fixtures.ts';
import { apiKey, hashOf, t0 } from './contract-fixtures.ts';

/**
 * Registers the contract for API keys: lookup by secret hash, revocation, listing and unique names.
 *
 * @param context the store under test.
 */
export function describeApiKeys(context: ContractContext): void {
  describe('API keys', () => {
    it('finds an active key by the hash of its secret', async () => {
      const store = context.store();
      await store.insertApiKey(apiKey('key-1', 'ci'));
      expect(await store.findActiveApiKeyByHash(hashOf('key-1'))).toEqual(apiKey('key-1', 'ci'));
      expect(await store.findActiveApiKeyByHash(hashOf('key-2'))).toBeUndefined();
    });

    it('revokes by id or by name; a revoked key is no longer found', async () => {
      const store = context.store();
      await store.insertApiKey(apiKey('key-1', 'ci'));
      await store.insertApiKey(apiKey('key-2', 'laptop'));
      expect(await store.revokeApiKey('key-1', t0 + 10)).toBe(true);
      expect(await store.revokeApiKey('laptop', t0 + 20)).toBe(true);
      expect(await store.revokeApiKey('key-1', t0 + 30)).toBe(false);
      expect(await store.revokeApiKey('no-such-key', t0 + 30)).toBe(false);
      expect(await store.findActiveApiKeyByHash(hashOf('key-1'))).toBeUndefined();
      expect(await store.findActiveApiKeyByHash(hashOf('key-2'))).toBeUndefined();
      expect((await store.listApiKeys()).map((key) => key.revokedAt)).toEqual([t0 + 10, t0 + 20]);
    });

    it('lists every key oldest first and counts the active ones', async () => {
      const store = context.store();
      await store.insertApiKey(apiKey('key-b', 'second', t0 + 1));
      await store.insertApiKey(apiKey('key-a', 'first', t0));
      await store.insertApiKey(apiKey('key-c', 'third', t0 + 2));
      await store.revokeApiKey('second', t0 + 5);
      expect((await store.listApiKeys()).map((key) => key.id)).toEqual(['key-a', 'key-b', 'key-c']);
      expect(await store.countActiveApiKeys()).toBe(2);
    });

    it('keeps names unique among active keys', async () => {
      const store = context.store();
      await store.insertApiKey(apiKey('key-1', 'ci'));
      await expect(store.insertApiKey(apiKey('key-2', 'ci'))).rejects.toMatchObject({
        code: 'validation_failed',
        field: 'name',
      });
      expect(await store.countActiveApiKeys()).toBe(1);
      await store.revokeApiKey('ci', t0 + 10);
      await store.insertApiKey(apiKey('key-3', 'ci'));
      expect(await store.findActiveApiKeyByHash(hashOf('key-3'))).toMatchObject({
        id: 'key-3',
        name: 'ci',
      });
    });

    it('reports only a name clash as a name error; a clash on id or secret hash writes nothing', async () => {
      const store = context.store();
      await store.insertApiKey(apiKey('key-1', 'ci'));
      const sameHash = { ...apiKey('key-2', 'laptop'), secretHash: hashOf('key-1') };
      const sameId = { ...apiKey('key-1', 'laptop'), secretHash: hashOf('key-3') };
      for (const clash of [sameHash, sameId]) {
        const error: unknown = await store.insertApiKey(clash).then(
          () => undefined,
          (rejection: unknown) => rejection,
        );
        expect(error).toBeInstanceOf(Error);
        expect(error).not.toMatchObject({ code: 'validation_failed' });
      }
      expect((await store.listApiKeys()).map((key) => [key.id, key.name])).toEqual([['key-1', 'ci']]);
    });
  });
}
