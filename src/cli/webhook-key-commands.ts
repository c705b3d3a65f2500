import type { Command } from 'commander';
import type { Config } from '../config.ts';
import { callbackUrlIssue } from '../api/request-extras.ts';
import type { JobStore } from '../store/job-store.ts';
import { openStore } from '../store/open-store.ts';
import { WebhookSecrets } from '../webhooks/webhook-secrets.ts';

/**
 * `reelgate keys webhook-secret <key> [--rotate]` and `reelgate keys webhook-endpoint <key> [url]`:
 * a key's callback signing secret (shown, or rotated with a day of overlap during which both
 * signatures are sent) and its default endpoint for OpenAI-style `video.*` events.
 */
export function registerWebhookKeyCommands(keys: Command, config: () => Config): void {
  keys
    .command('webhook-secret')
    .description('show the key’s webhook signing secret (whsec_…), or rotate it with --rotate')
    .argument('<key>', 'the key id or name')
    .option('--rotate', 'make a new secret; the old one keeps signing for 24 hours')
    .option('--label <label>', 'a label for the new secret')
    .action(async (idOrName: string, options: { rotate?: boolean; label?: string }) => {
      await withKey(config, idOrName, async (store, keyId) => {
        const secrets = new WebhookSecrets(store);
        if (options.rotate === true) {
          const created = await secrets.rotate(keyId, options.label ?? null);
          console.log(`new signing secret ${created.id}; older secrets keep signing for 24 hours:`);
          console.log(created.secret);
          return;
        }
        for (const secret of await secrets.active(keyId)) {
          const until =
            secret.expiresAt === null ? 'current' : `retires ${new Date(secret.expiresAt).toISOString()}`;
          console.log(`${secret.secret}\t${secret.id}\t${until}`);
        }
      });
    });

  keys
    .command('webhook-endpoint')
    .description(
      'show, set or (with --clear) remove the key’s default endpoint for video.completed / video.failed events',
    )
    .argument('<key>', 'the key id or name')
    .argument('[url]', 'the endpoint URL to set')
    .option('--clear', 'remove the endpoint')
    .action(async (idOrName: string, url: string | undefined, options: { clear?: boolean }) => {
      await withKey(config, idOrName, async (store, keyId) => {
        if (options.clear === true) {
          await store.webhooks.setEndpoint(keyId, null, Date.now());
          console.log('default endpoint removed');
          return;
        }
        if (url !== undefined) {
          const issue = callbackUrlIssue(url, 'url');
          if (issue !== undefined) {
            console.error(`reelgate: ${issue.message}`);
            process.exitCode = 2;
            return;
          }
          await store.webhooks.setEndpoint(keyId, url, Date.now());
        }
        const endpoint = await store.webhooks.getEndpoint(keyId);
        if (endpoint === undefined) console.log('no default endpoint');
        else {
          const state =
            endpoint.disabledAt === null
              ? 'enabled'
              : `disabled ${new Date(endpoint.disabledAt).toISOString()} (${endpoint.disabledReason ?? ''})`;
          console.log(`${endpoint.url}\t${state}`);
        }
      });
    });
}

async function withKey(
  config: () => Config,
  idOrName: string,
  action: (store: JobStore, keyId: string) => Promise<void>,
): Promise<void> {
  const store = await openStore(config());
  try {
    const key = (await store.listApiKeys()).find(
      (candidate) =>
        candidate.revokedAt === null && (candidate.id === idOrName || candidate.name === idOrName),
    );
    if (key === undefined) {
      console.error(`reelgate: no active key "${idOrName}"`);
      process.exitCode = 1;
      return;
    }
    await action(store, key.id);
  } finally {
    await store.close();
  }
}
