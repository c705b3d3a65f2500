import type { Config } from '../config.ts';
import { startApplication } from '../app.ts';
import type { Application } from '../app.ts';

/** `reelgate serve`: the API plus (by default) an in-process worker. */
export async function runServe(config: Config, options: { worker: boolean }): Promise<void> {
  const application = await startApplication(
    { ...config, worker: { ...config.worker, enabled: config.worker.enabled && options.worker } },
    { api: true },
  );
  printBanner(application);
  stopOnSignals(application);
}

/** `reelgate worker`: claims and runs jobs; no HTTP. */
export async function runWorker(config: Config): Promise<void> {
  const application = await startApplication(
    { ...config, worker: { ...config.worker, enabled: true } },
    { api: false },
  );
  application.logger.info('worker started; waiting for jobs');
  stopOnSignals(application);
}

function printBanner(application: Application): void {
  const lines = [`Reelgate ${application.url}  (API docs: ${application.url}/docs)`];
  if (application.createdKey !== undefined) {
    lines.push(
      '',
      'No API key existed, so one was created. It is shown only this once:',
      '',
      `    ${application.createdKey.secret}`,
      '',
      `Try:  curl -H "Authorization: Bearer ${application.createdKey.secret}" ${application.url}/v1/models`,
    );
  }
  process.stdout.write(`\n${lines.join('\n')}\n\n`);
}

/**
 * SIGTERM / SIGINT: stop accepting requests and claims, give running jobs the grace period, then
 * exit (jobs still running are left to lease recovery). A second signal exits at once.
 */
function stopOnSignals(application: Application): void {
  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) process.exit(130);
    stopping = true;
    application.logger.info({ signal }, 'shutting down');
    application
      .close()
      .then(() => process.exit(0))
      .catch((error: unknown) => {
        application.logger.error({ err: error }, 'shutdown failed');
        process.exit(1);
      });
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}
