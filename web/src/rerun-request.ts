import type { CreateJobParams, JobView } from '../../src/client/index.ts';
import { BadRequestError } from '../../src/client/index.ts';

/**
 * The `POST /v1/jobs` request that makes a job again: the same model, the same input (its media
 * stay `asset://` references, which do not expire, so nothing is uploaded twice), the same media
 * roles, the same `return_last_frame`, and the seed the job actually ran with — a request without
 * a seed had one drawn, which the pipeline reports in the metadata.
 *
 * Roles and the last-frame flag come from the job view; a server older than those fields does not
 * report them, and the re-run then falls back to the server's default roles.
 */
export function rerunRequest(job: JobView): CreateJobParams {
  const input = { ...job.input };
  const usedSeed = job.metadata?.['seed'];
  if (typeof usedSeed === 'number') input['seed'] = usedSeed;
  const roles = job.roles ?? {};
  return {
    model: job.model,
    input,
    ...(Object.keys(roles).length === 0 ? {} : { roles }),
    ...(job.return_last_frame === undefined ? {} : { returnLastFrame: job.return_last_frame }),
  };
}

/**
 * What to tell the user when the server refuses a re-run. Jobs made through a dialect whose input
 * is not the model's own (OpenAI's `seconds`, Ark's `content`) cannot be posted to `POST /v1/jobs`
 * as they are; the server names every such field as unknown, which would only puzzle the user, so
 * say where the job can be made again instead.
 */
export function rerunFailureMessage(job: JobView, failure: unknown): string {
  const message = failure instanceof Error ? failure.message : String(failure);
  const foreignInput =
    job.dialect !== 'reelgate' &&
    failure instanceof BadRequestError &&
    failure.issues.length > 0 &&
    failure.issues.every((issue) => issue.rule === 'unknown_field' && issue.field.startsWith('input.'));
  return foreignInput
    ? `This job was made through the ${job.dialect} API, whose input the re-run cannot reuse; submit it again through that API. (${message})`
    : message;
}
