import { toAppError } from '../domain/app-error.ts';
import type { Job, JobResult } from '../domain/job.ts';
import type { AttemptControls, JobRunner } from '../worker/job-runner.ts';
import type { Metrics } from './metrics.ts';

/**
 * Wraps the pipeline so every attempt is measured without the worker knowing about metrics: the
 * queue wait (from when the job became claimable — its creation, or the end of a retry backoff —
 * to the attempt's start), the attempt's duration by outcome, and failures by error code. An
 * attempt stopped by a cancel, a lost lease or a shutdown counts as `stopped`, not as an error.
 */
export function instrumentRunner(
  runner: JobRunner,
  metrics: Metrics,
  now: () => number = Date.now,
): JobRunner {
  return {
    async run(job: Job, controls: AttemptControls): Promise<JobResult> {
      const started = now();
      const model = job.model;
      metrics.queueWait.observe({ model }, Math.max(0, started - job.availableAt) / 1000);
      const seconds = () => (now() - started) / 1000;
      try {
        const result = await runner.run(job, controls);
        metrics.runDuration.observe({ model, outcome: 'succeeded' }, seconds());
        return result;
      } catch (error) {
        if (controls.signal.aborted) {
          metrics.runDuration.observe({ model, outcome: 'stopped' }, seconds());
        } else {
          metrics.runDuration.observe({ model, outcome: 'failed' }, seconds());
          metrics.engineErrors.inc({ model, code: toAppError(error).code });
        }
        throw error;
      }
    },
  };
}
