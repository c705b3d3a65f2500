import { AppError } from '../domain/app-error.ts';
import type { JobStatus } from '../domain/job.ts';
import { jobStatuses } from '../domain/job.ts';

const statusSet: ReadonlySet<string> = new Set(jobStatuses);

/** Whether a value read from a database is one of the job statuses. */
export function isJobStatus(value: unknown): value is JobStatus {
  return typeof value === 'string' && statusSet.has(value);
}

/** A status column's value as a JobStatus; anything else means the database holds a bad row. */
export function parseStoredStatus(value: unknown): JobStatus {
  if (isJobStatus(value)) return value;
  throw new AppError('internal_error', `stored job status ${JSON.stringify(value)} is not a known status`);
}
