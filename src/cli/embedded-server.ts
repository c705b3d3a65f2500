import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { startApplication } from '../app.ts';
import { ConfigError, loadConfig } from '../config.ts';
import { CliError, exitCodes } from './exit-codes.ts';

/** A Reelgate server running inside the CLI process for one command. */
export interface EmbeddedServer {
  readonly url: string;
  readonly apiKey: string;
  /** Stops the server and removes its data folder. */
  close(): Promise<void>;
}

/**
 * Starts the embedded server (API + worker, SQLite and local files) on a free loopback port with
 * its own temporary data folder and a one-off key, so `reelgate generate` gives a newcomer a video
 * with no server set up. The environment's other settings (ffmpeg, safety, …) still apply; its
 * database and storage URLs do not, since this server is private to the run.
 */
export async function startEmbeddedServer(
  environment: Readonly<Record<string, string | undefined>> = process.env,
): Promise<EmbeddedServer> {
  const dataDir = await mkdtemp(path.join(tmpdir(), 'reelgate-embedded-'));
  const apiKey = `rg_${randomBytes(32).toString('base64url')}`;
  let config;
  try {
    config = loadConfig({
      ...environment,
      PORT: '0',
      HOST: '127.0.0.1',
      REELGATE_PUBLIC_URL: undefined,
      REELGATE_DATA_DIR: dataDir,
      REELGATE_BOOTSTRAP_KEY: apiKey,
      DATABASE_URL: undefined,
      STORAGE_URL: undefined,
      // A cancelled or interrupted run should not hold the terminal for the default 30 s.
      REELGATE_SHUTDOWN_GRACE_SECONDS: '2',
    });
  } catch (error) {
    await rm(dataDir, { recursive: true, force: true });
    if (error instanceof ConfigError) throw new CliError(error.message, exitCodes.badInput);
    throw error;
  }
  // Silent: the CLI's own output (and --json's single line) must not be interleaved with logs.
  const application = await startApplication(config, { api: true, logger: pino({ level: 'silent' }) });
  return {
    url: application.url,
    apiKey,
    async close() {
      await application.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
