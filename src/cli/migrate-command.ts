import type { Command } from 'commander';
import type { Config } from '../config.ts';
import { openStore } from '../store/open-store.ts';

/**
 * `reelgate migrate`: brings the database schema to this version and exits. Every node also
 * migrates when it starts (safe when several start at once), so this is for deploy pipelines that
 * upgrade the schema as its own step, before rolling out the new processes.
 */
export function registerMigrateCommand(program: Command, config: () => Config): void {
  program
    .command('migrate')
    .description('create or upgrade the database schema, then exit')
    .action(async () => {
      const configuration = config();
      const where =
        configuration.database.kind === 'postgres'
          ? 'PostgreSQL (DATABASE_URL)'
          : `SQLite in ${configuration.dataDir}`;
      try {
        const store = await openStore(configuration);
        await store.close();
        console.log(`reelgate: the database schema is current (${where})`);
      } catch (error) {
        console.error(`reelgate: migration failed (${where}): ${(error as Error).message}`);
        process.exitCode = 1;
      }
    });
}
