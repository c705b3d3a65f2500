import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { z } from 'zod';
import { ReelgateClient } from '../client/index.ts';
import type { ClientSettings } from '../config.ts';
import { ConfigError, loadClientSettings } from '../config.ts';
import { CliError, exitCodes } from './exit-codes.ts';

/**
 * Which server and key the client commands use: `--url` / `--key`, else REELGATE_URL /
 * REELGATE_API_KEY, else the config file (`{"url": …, "api_key": …}`), else where `reelgate serve`
 * would listen here (loopback, PORT or 8080) with no key.
 */

export interface ConnectionFlags {
  readonly url?: string;
  readonly key?: string;
}

export interface ResolvedConnection {
  readonly url: string;
  readonly apiKey: string | undefined;
  /** False when no flag, variable or config file named a server (the default was taken). */
  readonly urlGiven: boolean;
}

/** Adds `--url` and `--key` to a client command. */
export function withConnectionOptions(command: Command): Command {
  return command
    .option(
      '--url <url>',
      'server base URL (env REELGATE_URL; default http://127.0.0.1:$PORT, PORT defaulting to 8080)',
    )
    .option('--key <key>', 'API key (env REELGATE_API_KEY)');
}

const configFileSchema = z
  .object({
    url: z.url({ protocol: /^https?$/, message: 'url must be an absolute http(s) URL' }).optional(),
    api_key: z.string().min(1).optional(),
  })
  .strict();

/** Flags, then environment, then the config file. */
export async function resolveConnection(
  flags: ConnectionFlags,
  environment: Readonly<Record<string, string | undefined>> = process.env,
): Promise<ResolvedConnection> {
  let settings: ClientSettings;
  try {
    settings = loadClientSettings(environment);
  } catch (error) {
    if (error instanceof ConfigError) throw new CliError(error.message, exitCodes.badInput);
    throw error;
  }
  const file = await readConfigFile(settings.configFile);
  if (flags.url !== undefined && !/^https?:\/\/\S+$/.test(flags.url)) {
    throw new CliError(`--url must be an absolute http(s) URL, got "${flags.url}"`, exitCodes.badInput);
  }
  const url = flags.url ?? settings.url ?? file.url;
  return {
    url: (url ?? settings.defaultUrl).replace(/\/+$/, ''),
    apiKey: flags.key ?? settings.apiKey ?? file.api_key,
    urlGiven: url !== undefined,
  };
}

async function readConfigFile(file: string): Promise<z.infer<typeof configFileSchema>> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw new CliError(`cannot read ${file}: ${(error as Error).message}`, exitCodes.badInput);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new CliError(`${file} is not valid JSON`, exitCodes.badInput);
  }
  const parsed = configFileSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new CliError(
      `${file}: ${issue?.path.join('.') || 'the file'}: ${issue?.message ?? 'invalid'} (expected {"url": …, "api_key": …})`,
      exitCodes.badInput,
    );
  }
  return parsed.data;
}

/** A client for the resolved server; commands that need a key say so before any request. */
export function clientFor(
  connection: ResolvedConnection,
  options: { readonly needsKey: boolean },
): ReelgateClient {
  if (options.needsKey && connection.apiKey === undefined) {
    throw new CliError(
      `no API key for ${connection.url}: pass --key, set REELGATE_API_KEY, or add "api_key" to the config file`,
      exitCodes.auth,
    );
  }
  return new ReelgateClient({ baseUrl: connection.url, apiKey: connection.apiKey });
}

/** Whether a Reelgate server answers at `url` (its /health), within a second. */
export async function serverAnswers(url: string): Promise<boolean> {
  try {
    const response = await fetch(`${url}/health`, { signal: AbortSignal.timeout(1000) });
    await response.body?.cancel();
    return response.ok;
  } catch {
    return false;
  }
}
