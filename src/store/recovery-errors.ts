import type { JobError } from '../domain/job.ts';

/**
 * The errors lease recovery and deadlines write on a job, the same in every store: as the stores
 * keep them (JSON text), since they are written by SQL, not parsed first.
 */
export const recoveryErrors = {
  /** A lease lapsed and the job went back to the queue. */
  leaseExpiredRetry: JSON.stringify({
    code: 'lease_expired',
    message: 'the worker stopped renewing its lease; the job was queued again',
    retryable: true,
  } satisfies JobError),
  /** A lease lapsed on the last attempt. */
  leaseExpiredFinal: JSON.stringify({
    code: 'lease_expired',
    message: 'the worker stopped renewing its lease and no attempts remain',
    retryable: false,
  } satisfies JobError),
  deadlinePassed: JSON.stringify({
    code: 'job_expired',
    message: 'the job did not finish before its deadline',
    retryable: false,
  } satisfies JobError),
} as const;
