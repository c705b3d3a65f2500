import { stat } from 'node:fs/promises';
import path from 'node:path';
import { createInterface } from 'node:readline';
import type { Command } from 'commander';
import { InvalidArgumentError } from 'commander';
import type { JobView, ModelInfo } from '../client/index.ts';
import { ConflictError, ReelgateClient, RequestAbortedError } from '../client/index.ts';
import { downloadJobOutput, uploadAssetFile } from '../client/node.ts';
import type { ConnectionFlags } from './client-connection.ts';
import { clientFor, resolveConnection, serverAnswers, withConnectionOptions } from './client-connection.ts';
import type { EmbeddedServer } from './embedded-server.ts';
import { CliError, describeError, exitCodeHelp, exitCodeOf, exitCodes } from './exit-codes.ts';
import type { GenerateMedia } from './generation-input.ts';
import { buildGenerationInput, flagForField } from './generation-input.ts';
import { ProgressDisplay } from './progress-display.ts';
import { printJsonLine, summarizeVideo } from './job-output.ts';

interface GenerateOptions extends ConnectionFlags {
  readonly model?: string;
  readonly duration?: string;
  readonly resolution?: string;
  readonly ratio?: string;
  readonly seed?: string;
  readonly audio?: boolean;
  readonly video?: string[];
  readonly audioRef?: string[];
  readonly lastFrame?: boolean;
  readonly output?: string;
  readonly json?: boolean;
}

/** An `--image` with the `--role` that followed it. */
interface ImageFlag {
  readonly source: string;
  role: string | undefined;
}

/** `reelgate generate "prompt" …`: one command from a prompt (and media) to a saved MP4. */
export function registerGenerateCommand(program: Command): void {
  // Commander calls option parsers in command-line order, so a --role belongs to the --image before it.
  const images: ImageFlag[] = [];
  const collect = (value: string, previous: string[] = []) => [...previous, value];
  withConnectionOptions(program.command('generate'))
    .description(
      'generate a video and save it; with no server configured and none running locally, a private embedded server runs for this one command',
    )
    .argument(
      '<prompt>',
      'what the video shows (camera words, "[0-4s]: …" shots and quoted dialogue work too)',
    )
    .option('-m, --model <id>', 'model id or alias (see `reelgate models`; default: the first one)')
    .option('-d, --duration <seconds>', 'length in whole seconds (the model decides the range)')
    .option('-r, --resolution <resolution>', '480p, 720p or 1080p, as the model allows')
    .option('--ratio <ratio>', 'aspect ratio: 16:9, 9:16, 4:3, 3:4, 1:1, 21:9 or adaptive')
    .option('--seed <n>', 'seed, for a repeatable result')
    .option('--audio', 'generate a soundtrack')
    .option('--no-audio', 'no soundtrack')
    .option(
      '--image <file|url>',
      'an image input (repeatable); local files are uploaded',
      (source: string) => {
        images.push({ source, role: undefined });
        return source;
      },
    )
    .option(
      '--role <role>',
      'the role of the --image before it: first_frame, last_frame or reference_image',
      (role: string) => {
        const image = images.at(-1);
        if (image === undefined || image.role !== undefined) {
          throw new InvalidArgumentError('each --role must follow its own --image');
        }
        image.role = role;
        return role;
      },
    )
    .option('--video <file|url>', 'a reference video (repeatable)', collect)
    .option('--audio-ref <file|url>', 'a reference audio track (repeatable)', collect)
    .option('--last-frame', "also save the video's last frame as <output>.last-frame.png")
    .option('-o, --output <file>', 'where to save the MP4 (default: reelgate-<job id>.mp4)')
    .option('--json', 'print one JSON line (the job and the saved files) instead of progress')
    .addHelpText('after', exitCodeHelp)
    .action(async (prompt: string, options: GenerateOptions) => {
      process.exitCode = await runGenerate(prompt, options, images);
    });
}

async function runGenerate(
  prompt: string,
  options: GenerateOptions,
  images: readonly ImageFlag[],
): Promise<number> {
  const json = options.json === true;
  const display = new ProgressDisplay(
    process.stderr,
    json ? 'silent' : process.stderr.isTTY ? 'tty' : 'plain',
  );
  let embedded: EmbeddedServer | undefined;
  try {
    const connection = await resolveConnection(options);
    let client: ReelgateClient;
    if (!connection.urlGiven && !(await serverAnswers(connection.url))) {
      display.note(`no server at ${connection.url}; starting a private embedded one for this run`);
      // Loaded only here: the server, engines and ffmpeg lookup are not needed to talk to one.
      const { startEmbeddedServer } = await import('./embedded-server.ts');
      embedded = await startEmbeddedServer();
      client = new ReelgateClient({ baseUrl: embedded.url, apiKey: embedded.apiKey });
    } else {
      client = clientFor(connection, { needsKey: true });
    }
    const model = chooseModel(await client.models.list(), options.model);
    const media: GenerateMedia = {
      images: await Promise.all(images.map((image) => mediaSource(client, image.source, '--image', display))),
      imageRoles: images.map((image) => image.role),
      videos: await Promise.all(
        (options.video ?? []).map((source) => mediaSource(client, source, '--video', display)),
      ),
      audios: await Promise.all(
        (options.audioRef ?? []).map((source) => mediaSource(client, source, '--audio-ref', display)),
      ),
    };
    const built = inFlagTerms(() => buildGenerationInput(model, { ...options, prompt }, media));
    const job = await client.jobs
      .create({
        model: model.id,
        input: built.input,
        ...(Object.keys(built.roles).length === 0 ? {} : { roles: built.roles }),
        ...(options.lastFrame === true ? { returnLastFrame: true } : {}),
      })
      .catch((error: unknown) => {
        throw new CliError(
          describeError(error, (field) => flagForField(built.flags, field)),
          exitCodeOf(error),
        );
      });
    display.note(`job ${job.id} · ${model.name} · seed ${String(job.input?.['seed'] ?? '?')}`);
    const finished = await waitWithInterrupt(client, job, display, {
      embedded: embedded !== undefined,
      json,
    });
    if (finished === undefined) return exitCodes.interrupted;
    display.stop();
    if (finished.status !== 'succeeded') {
      if (json) printJsonLine({ ...finished, file: null });
      else
        console.error(
          `reelgate: job ${finished.id} ${finished.status}: ${finished.error?.message ?? 'no reason given'}`,
        );
      return exitCodes.jobFailed;
    }
    const file = path.resolve(options.output ?? `reelgate-${finished.id}.mp4`);
    await downloadJobOutput(client, finished, file);
    let lastFrameFile: string | undefined;
    if (options.lastFrame === true) {
      lastFrameFile = `${file.replace(/\.mp4$/i, '')}.last-frame.png`;
      await downloadJobOutput(client, finished, lastFrameFile, { role: 'last_frame' });
    }
    if (json) printJsonLine({ ...finished, file, last_frame_file: lastFrameFile ?? null });
    else {
      console.log(
        `saved ${path.relative(process.cwd(), file) || file} — ${summarizeVideo(finished)} (job ${finished.id})`,
      );
      if (lastFrameFile !== undefined)
        console.log(`saved ${path.relative(process.cwd(), lastFrameFile)} (last frame)`);
    }
    return exitCodes.ok;
  } catch (error) {
    display.stop();
    const code = exitCodeOf(error);
    if (json) printJsonLine({ error: { message: describeError(error), exit_code: code } });
    else console.error(`reelgate: ${describeError(error)}`);
    return code;
  } finally {
    await embedded?.close();
  }
}

/** The model named by `--model` (any id or alias), or the server's first. */
function chooseModel(models: readonly ModelInfo[], wanted: string | undefined): ModelInfo {
  const model =
    wanted === undefined
      ? models[0]
      : models.find((entry) => entry.id === wanted || (entry.ids ?? []).includes(wanted));
  if (model === undefined) {
    throw new CliError(
      `--model: "${wanted ?? ''}" is not available; models: ${models.map((entry) => entry.id).join(', ')}`,
      exitCodes.badInput,
    );
  }
  return model;
}

/** A URL, data: URI or asset:// as given; a local file uploaded first. */
async function mediaSource(
  client: ReelgateClient,
  source: string,
  flag: string,
  display: ProgressDisplay,
): Promise<string> {
  if (/^(https?:|data:|asset:)/i.test(source)) return source;
  const info = await stat(source).catch(() => undefined);
  if (info === undefined || !info.isFile()) {
    throw new CliError(
      `${flag} ${source}: no such file (give a file path or an http(s) URL)`,
      exitCodes.badInput,
    );
  }
  display.note(`uploading ${source}`);
  try {
    return (await uploadAssetFile(client, source)).url;
  } catch (error) {
    throw new CliError(`${flag} ${source}: ${describeError(error)}`, exitCodeOf(error));
  }
}

function inFlagTerms<T>(build: () => T): T {
  try {
    return build();
  } catch (error) {
    if (error instanceof CliError) throw error;
    throw new CliError((error as Error).message, exitCodes.badInput);
  }
}

/**
 * Waits for the job with live progress. Ctrl-C stops waiting and asks whether to cancel the job
 * or leave it running (an embedded server stops with this command, so there it is cancelled);
 * the job id is printed either way. Undefined when interrupted.
 */
async function waitWithInterrupt(
  client: ReelgateClient,
  job: JobView,
  display: ProgressDisplay,
  context: { readonly embedded: boolean; readonly json: boolean },
): Promise<JobView | undefined> {
  const controller = new AbortController();
  const interrupt = () => controller.abort();
  process.once('SIGINT', interrupt);
  try {
    return await client.jobs.wait(job.id, {
      signal: controller.signal,
      onProgress: (view) => display.update(view),
    });
  } catch (error) {
    if (!(error instanceof RequestAbortedError) || !controller.signal.aborted) throw error;
    display.stop();
    const cancel = context.embedded || (await askToCancel(job.id));
    if (cancel)
      await client.jobs.cancel(job.id).catch((failure: unknown) => {
        if (!(failure instanceof ConflictError)) throw failure;
      });
    const message = cancel
      ? `cancelled job ${job.id}`
      : `left job ${job.id} running; follow it with: reelgate jobs wait ${job.id}`;
    if (context.json) printJsonLine({ id: job.id, status: cancel ? 'cancelled' : 'interrupted', message });
    else console.error(message);
    return undefined;
  } finally {
    process.removeListener('SIGINT', interrupt);
  }
}

/** Asks on the terminal; without one (or on a second Ctrl-C) the job is left running. */
async function askToCancel(id: string): Promise<boolean> {
  if (process.stdin.isTTY !== true) return false;
  const prompt = createInterface({ input: process.stdin, output: process.stderr });
  try {
    const answer = await new Promise<string>((resolve) => {
      prompt.once('SIGINT', () => resolve(''));
      prompt.question(`Cancel job ${id}, or leave it running? [c]ancel / [L]eave: `, resolve);
    });
    return /^c/i.test(answer.trim());
  } finally {
    prompt.close();
  }
}
