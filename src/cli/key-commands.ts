import type { Command } from 'commander';
import { openStore } from '../store/open-store.ts';
import type { Config } from '../config.ts';
import { createApiKey } from '../keys/api-keys.ts';
import { registerWebhookKeyCommands } from './webhook-key-commands.ts';

/** `reelgate keys create|list|revoke`, working directly on the store in the data folder. */
export function registerKeyCommands(program: Command, config: () => Config): void {
  const keys = program.command('keys').description('manage API keys');

  keys
    .command('create')
    .description('create a key and print its secret (shown only once)')
    .requiredOption('--name <name>', 'a name to tell the key apart')
    .option('--admin', 'an admin key: manages keys and sees every key’s jobs and usage over HTTP')
    .action(async (options: { name: string; admin?: boolean }) => {
      const store = await openStore(config());
      try {
        if ((await store.listApiKeys()).some((key) => key.name === options.name)) {
          console.error(`reelgate: a key named "${options.name}" already exists`);
          process.exitCode = 1;
          return;
        }
        const scope = options.admin === true ? 'admin' : 'user';
        const created = await createApiKey(store, options.name, { scope });
        console.log(
          `created ${scope} key ${created.key.name} (${created.key.id}); its secret, shown only once:`,
        );
        console.log(created.secret);
      } finally {
        await store.close();
      }
    });

  keys
    .command('list')
    .description('list keys (never their secrets)')
    .action(async () => {
      const store = await openStore(config());
      try {
        for (const key of await store.listApiKeys()) {
          const state =
            key.revokedAt === null ? 'active' : `revoked ${new Date(key.revokedAt).toISOString()}`;
          console.log(
            `${key.id}\t${key.name}\t${key.scope}\t${key.prefix}…\t${new Date(key.createdAt).toISOString()}\t${state}`,
          );
        }
      } finally {
        await store.close();
      }
    });

  keys
    .command('revoke')
    .description('revoke a key by id or name')
    .argument('<key>', 'the key id or name')
    .action(async (idOrName: string) => {
      const store = await openStore(config());
      try {
        if (await store.revokeApiKey(idOrName, Date.now())) console.log(`revoked ${idOrName}`);
        else {
          console.error(`reelgate: no active key "${idOrName}"`);
          process.exitCode = 1;
        }
      } finally {
        await store.close();
      }
    });

  registerWebhookKeyCommands(keys, config);
}
