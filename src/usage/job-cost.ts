import { unitPriceOf } from '../catalog/price-table.ts';
import type { ModelSpec } from '../catalog/model-spec.ts';
import type { Job } from '../domain/job.ts';
import { roundUsd } from '../domain/usage.ts';

/** What a job costs, in every dialect's rendering: quoted price, billed seconds, amount. */
export interface JobCost {
  /** USD per second, quoted when the job was accepted. */
  readonly unitPriceUsd: number;
  /** The requested seconds once the job succeeded; 0 for any other state or end. */
  readonly billableSeconds: number;
  readonly amountUsd: number;
}

/**
 * The job's cost: its quoted price × its seconds when it succeeded, 0 otherwise (a failed,
 * cancelled or expired job is never billed). Jobs stored before prices were quoted fall back to
 * the model's current price, as the usage ledger never saw them.
 */
export function jobCost(job: Job, spec: ModelSpec | undefined): JobCost {
  const unitPriceUsd = job.unitPriceUsd ?? (spec === undefined ? 0 : unitPriceOf(spec, job.request));
  const billableSeconds = job.status === 'succeeded' ? job.request.durationSeconds : 0;
  return { unitPriceUsd, billableSeconds, amountUsd: roundUsd(unitPriceUsd * billableSeconds) };
}
