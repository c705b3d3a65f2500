import { pino } from 'pino';
import { startApplication } from '../../src/app.ts';
import type { Application, StartOptions } from '../../src/app.ts';
import { loadConfig } from '../../src/config.ts';
import { createApiKey } from '../../src/keys/api-keys.ts';
import { temporaryDataDir } from './server-process.ts';

export const testKey = 'rg_test_key_0123456789abcdef';

/**
 * The real application (real HTTP on a random port, real SQLite in a temp folder, real ffmpeg),
 * started in this process for tests that do not need to kill it. `environment` adds to (or
 * overrides) the test defaults below; `options` can bring a logger to capture and a clock to move.
 */
export async function startTestApplication(
  environment: Record<string, string> = {},
  options: Partial<Omit<StartOptions, 'api'>> = {},
): Promise<Application> {
  const config = loadConfig({
    PATH: process.env['PATH'],
    PORT: '0',
    HOST: '127.0.0.1',
    REELGATE_DATA_DIR: await temporaryDataDir(),
    REELGATE_BOOTSTRAP_KEY: testKey,
    REELGATE_SHUTDOWN_GRACE_SECONDS: '0',
    // The NSFW check adds seconds of CPU per job; test/content-safety.test.ts turns it on.
    REELGATE_SAFETY: 'off',
    ...environment,
  });
  return startApplication(config, { api: true, logger: pino({ level: 'silent' }), ...options });
}

/**
 * Two applications started together: `live` has a worker, so its jobs complete; `queue` has none,
 * so its jobs stay queued and queued-state answers are deterministic.
 */
export async function startLiveAndQueue(
  liveEnvironment: Record<string, string> = {},
): Promise<{ live: Application; queue: Application }> {
  const [live, queue] = await Promise.all([
    startTestApplication(liveEnvironment),
    startTestApplication({ REELGATE_WORKER: 'false' }),
  ]);
  return { live, queue };
}

/** The secret of a second API key on `application`, for checking that keys cannot see each other's jobs. */
export async function otherKeyOn(application: Application): Promise<string> {
  return (await createApiKey(application.store, 'other')).secret;
}
