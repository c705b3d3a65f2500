import path from 'node:path';
import type { Command } from 'commander';
import type { JobStatus, ReelgateClient } from '../client/index.ts';
import { downloadJobOutput } from '../client/node.ts';
import type { ConnectionFlags } from './client-connection.ts';
import { clientFor, resolveConnection, withConnectionOptions } from './client-connection.ts';
import { CliError, describeError, exitCodeHelp, exitCodeOf, exitCodes } from './exit-codes.ts';
import { jobRow, printJsonLine, summarizeVideo } from './job-output.ts';
import { ProgressDisplay } from './progress-display.ts';

/**
 * `reelgate jobs list|show|cancel|wait|download` and `reelgate models`: the client side of any
 * Reelgate server (flags, REELGATE_URL / REELGATE_API_KEY or the config file say which).
 */
export function registerJobCommands(program: Command): void {
  const jobs = program
    .command('jobs')
    .description("the key's jobs on a server")
    .addHelpText('after', exitCodeHelp);

  withConnectionOptions(jobs.command('list'))
    .description('list jobs, newest first')
    .option('--status <statuses>', 'comma-separated: queued, running, succeeded, failed, cancelled, expired')
    .option('--model <id>', 'only this model (id or alias)')
    .option('--limit <n>', 'page size, 1–100', '20')
    .option('--after <cursor>', 'the next page after this cursor (printed with --json as next_cursor)')
    .option('--json', 'print the page as one JSON line')
    .action(
      command(
        async (
          client,
          options: { status?: string; model?: string; limit: string; after?: string; json?: boolean },
        ) => {
          const page = await client.jobs.list({
            ...(options.status === undefined ? {} : { status: options.status.split(',') as JobStatus[] }),
            ...(options.model === undefined ? {} : { model: options.model }),
            ...(options.after === undefined ? {} : { after: options.after }),
            limit: Number(options.limit),
          });
          if (options.json === true) printJsonLine(page);
          else {
            for (const job of page.data) console.log(jobRow(job));
            if (page.has_more) console.error(`more: reelgate jobs list --after ${page.next_cursor ?? ''}`);
          }
        },
      ),
    );

  withConnectionOptions(jobs.command('show'))
    .description('show one job (status, input, outputs, error)')
    .argument('<id>')
    .option('--json', 'print it as one JSON line')
    .action(
      command(async (client, options: { json?: boolean }, id: string) => {
        const job = await client.jobs.get(id);
        if (options.json === true) printJsonLine(job);
        else console.log(JSON.stringify(job, null, 2));
      }),
    );

  withConnectionOptions(jobs.command('cancel'))
    .description('cancel a queued or running job')
    .argument('<id>')
    .action(
      command(async (client, _options: object, id: string) => {
        const job = await client.jobs.cancel(id);
        console.log(`cancelled job ${job.id}`);
      }),
    );

  withConnectionOptions(jobs.command('wait'))
    .description('wait for a job to finish, with progress (exit 5 unless it succeeded)')
    .argument('<id>')
    .option('--json', 'print the finished job as one JSON line, no progress')
    .action(
      command(async (client, options: { json?: boolean }, id: string) => {
        const json = options.json === true;
        const display = new ProgressDisplay(
          process.stderr,
          json ? 'silent' : process.stderr.isTTY ? 'tty' : 'plain',
        );
        const job = await client.jobs
          .wait(id, { onProgress: (view) => display.update(view) })
          .finally(() => display.stop());
        if (json) printJsonLine(job);
        else console.log(`job ${job.id} ${job.status}${job.error === null ? '' : `: ${job.error.message}`}`);
        if (job.status !== 'succeeded') throw new CliError('', exitCodes.jobFailed);
      }),
    );

  withConnectionOptions(jobs.command('download'))
    .description("save a finished job's video (or another output)")
    .argument('<id>')
    .option('-o, --output <file>', 'where to save it (default: reelgate-<job id>.<ext>)')
    .option('--role <role>', 'video, thumbnail, spritesheet or last_frame', 'video')
    .action(
      command(async (client, options: { output?: string; role: string }, id: string) => {
        const job = await client.jobs.get(id);
        if (job.status !== 'succeeded') {
          throw new CliError(
            `job ${id} is ${job.status}; only succeeded jobs have outputs`,
            exitCodes.badInput,
          );
        }
        const extension = options.role === 'video' ? 'mp4' : options.role === 'last_frame' ? 'png' : 'jpg';
        const file = path.resolve(
          options.output ??
            `reelgate-${id}${options.role === 'video' ? '' : `.${options.role}`}.${extension}`,
        );
        const bytes = await downloadJobOutput(client, job, file, { role: options.role });
        console.log(
          `saved ${path.relative(process.cwd(), file) || file} (${Math.round(bytes / 1024)} kB${options.role === 'video' ? `; ${summarizeVideo(job)}` : ''})`,
        );
      }),
    );

  withConnectionOptions(program.command('models'))
    .description('list the models a server offers (no key needed)')
    .option('--json', 'print them as one JSON line, with their input schemas')
    .action(
      command(
        async (client, options: { json?: boolean }) => {
          const models = await client.models.list();
          if (options.json === true) printJsonLine(models);
          else
            for (const model of models)
              console.log(`${model.id}\t${model.name}\t(engine: ${model.engine ?? '?'})`);
        },
        { needsKey: false },
      ),
    );
}

/**
 * Wraps a command's action: resolves the server and key, runs it, and turns any failure into
 * one line on stderr and the matching exit code.
 */
function command<Options extends object>(
  action: (client: ReelgateClient, options: Options, ...rest: string[]) => Promise<void>,
  settings: { readonly needsKey: boolean } = { needsKey: true },
) {
  return async (...parameters: unknown[]) => {
    // Commander passes the arguments, then the options, then the command.
    const rest = parameters.slice(0, -2) as string[];
    const options = parameters.at(-2) as Options & ConnectionFlags;
    try {
      const client = clientFor(await resolveConnection(options), settings);
      await action(client, options, ...rest);
    } catch (error) {
      const message = describeError(error);
      if (message !== '') console.error(`reelgate: ${message}`);
      process.exitCode = exitCodeOf(error);
    }
  };
}
