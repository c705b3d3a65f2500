import { Command } from 'commander';
import { ConfigError, loadConfig } from '../config.ts';
import type { Config } from '../config.ts';
import { registerKeyCommands } from './key-commands.ts';
import { registerMigrateCommand } from './migrate-command.ts';
import { registerGenerateCommand } from './generate-command.ts';
import { registerJobCommands } from './job-commands.ts';

/**
 * `reelgate` — serve the API (with an in-process worker by default), run a worker alone, manage
 * API keys, list models. Configuration comes from the environment (see README); a bad value
 * stops the command with one clear line and exit code 2.
 */
function config(): Config {
  try {
    return loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(`reelgate: ${error.message}`);
      process.exit(2);
    }
    throw error;
  }
}

const program = new Command()
  .name('reelgate')
  .description('Self-hosted asynchronous video-generation API server')
  .showHelpAfterError()
  // A usage mistake (unknown option, missing argument) is bad input: exit 2, like the commands'.
  .exitOverride((error) => process.exit(error.exitCode === 0 ? 0 : 2));

// serve and worker load the HTTP server, engines and ffmpeg lookup only when they run, so that
// quick commands such as `keys list` start fast and work where ffmpeg is missing.
program
  .command('serve')
  .description('serve the HTTP API, with an in-process worker unless --no-worker')
  .option('--no-worker', 'serve the API only; separate `reelgate worker` processes run the jobs')
  .action(async (options: { worker: boolean }) => {
    const configuration = config();
    const { runServe } = await import('./serve-command.ts');
    await runServe(configuration, { worker: options.worker });
  });

program
  .command('worker')
  .description('run jobs from the queue without serving the API')
  .action(async () => {
    const configuration = config();
    const { runWorker } = await import('./serve-command.ts');
    await runWorker(configuration);
  });

// The client commands (generate, jobs, models) talk to a server over HTTP through the SDK.
registerGenerateCommand(program);
registerJobCommands(program);

registerKeyCommands(program, config);
registerMigrateCommand(program, config);

// The doctor reads the environment itself, so a bad value is one of its findings, not an exit 2.
program
  .command('doctor')
  .description('check the configuration, ffmpeg, database, storage and engines, and say what is wrong')
  .action(async () => {
    const { runDoctor } = await import('./doctor-command.ts');
    process.exitCode = await runDoctor();
  });

await program.parseAsync(process.argv);
