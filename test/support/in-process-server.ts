import { pino } from 'pino';
import { startApplication } from '../../src/app.ts';
import type { Application } from '../../src/app.ts';
import { loadConfig } from '../../src/config.ts';
import { temporaryDataDir } from './server-process.ts';

export const testKey = 'rg_test_key_0123456789abcdef';

/**
 * The real application (real HTTP on a random port, real SQLite in a temp folder, real ffmpeg),
 * started in this process for tests that do not need to kill it.
 */
export async function startTestApplication(environment: Record<string, string> = {}): Promise<Application> {
  const config = loadConfig({
    PATH: process.env['PATH'],
    PORT: '0',
    HOST: '127.0.0.1',
    REELGATE_DATA_DIR: await temporaryDataDir(),
    REELGATE_BOOTSTRAP_KEY: testKey,
    REELGATE_SHUTDOWN_GRACE_SECONDS: '0',
    ...environment,
  });
  return startApplication(config, { api: true, logger: pino({ level: 'silent' }) });
}
