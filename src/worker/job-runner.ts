import type { Job, JobResult } from '../domain/job.ts';

/** What the worker hands the pipeline for one attempt of one job. */
export interface AttemptControls {
  /** Aborted when the job is cancelled, its lease is lost, or the process shuts down. */
  readonly signal: AbortSignal;
  reportProgress(fraction: number, stage: string): void;
  saveCheckpoint(state: unknown): Promise<void>;
}

/** Runs one attempt of a job to a result; throws (ideally an AppError) on failure. */
export interface JobRunner {
  run(job: Job, controls: AttemptControls): Promise<JobResult>;
}
