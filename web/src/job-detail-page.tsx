import { useEffect, useState } from 'preact/hooks';
import type { DeliveryRecord, JobView, ReelgateClient } from '../../src/client/index.ts';
import { isTerminalStatus } from '../../src/client/index.ts';
import { formatCost, formatMilliseconds, formatTime, millisecondsBetween } from './format.ts';
import { JobOutputs, JobProgress } from './job-result.tsx';
import { rerunFailureMessage, rerunRequest } from './rerun-request.ts';
import { Link, navigate } from './router.tsx';
import { useLiveJob } from './use-live-job.ts';

/** How often the callback history is read again while a delivery is pending. */
const callbackRefreshMs = 2000;

/**
 * One generation: its video, inputs and parameters, timing, engine, callback history and error,
 * with cancel, re-run (same input, same seed) and delete.
 */
export function JobDetailPage(props: { client: ReelgateClient; id: string }) {
  const { client, id } = props;
  const { job, error, setJob } = useLiveJob(client, id);
  const [actionError, setActionError] = useState<string | undefined>(undefined);
  const [confirmingDelete, setConfirmingDelete] = useState(false);
  const [busy, setBusy] = useState(false);

  if (job === undefined) {
    return (
      <section class="page job-detail">
        <h1>Job {id}</h1>
        {error === undefined ? (
          <p>Loading…</p>
        ) : (
          <p role="alert" class="form-error">
            {error}
          </p>
        )}
        <Link href="/library">Back to the library</Link>
      </section>
    );
  }

  const act = async (action: () => Promise<void>) => {
    setBusy(true);
    setActionError(undefined);
    try {
      await action();
    } catch (failure) {
      setActionError(failure instanceof Error ? failure.message : String(failure));
    } finally {
      setBusy(false);
    }
  };
  const cancel = () => act(async () => setJob(await client.jobs.cancel(job.id)));
  const rerun = () =>
    act(async () => {
      const created = await client.jobs.create(rerunRequest(job)).catch((failure: unknown) => {
        throw new Error(rerunFailureMessage(job, failure));
      });
      navigate(`/library/${created.id}`);
    });
  const remove = () =>
    act(async () => {
      await client.jobs.delete(job.id);
      navigate('/library');
    });

  const finished = isTerminalStatus(job.status);
  return (
    <section class="page job-detail" aria-labelledby="job-title">
      <p>
        <Link href="/library">← Library</Link>
      </p>
      <h1 id="job-title">
        Job <code>{job.id}</code>
      </h1>
      {finished ? (
        <p class={`status-badge status-${job.status}`} role="status" data-status={job.status}>
          {job.status}
        </p>
      ) : (
        <JobProgress job={job} />
      )}
      {error === undefined ? null : <p class="form-error">Lost track of the job: {error}</p>}
      <div class="job-actions">
        {finished ? null : (
          <button type="button" class="secondary" onClick={cancel} disabled={busy}>
            Cancel job
          </button>
        )}
        <button type="button" class="secondary" onClick={rerun} disabled={busy || job.input === undefined}>
          Re-run with the same seed
        </button>
        {finished ? (
          confirmingDelete ? (
            <>
              <button type="button" class="danger" onClick={remove} disabled={busy}>
                Delete for good
              </button>
              <button type="button" class="secondary" onClick={() => setConfirmingDelete(false)}>
                Keep it
              </button>
            </>
          ) : (
            <button type="button" class="secondary" onClick={() => setConfirmingDelete(true)} disabled={busy}>
              Delete
            </button>
          )
        ) : null}
      </div>
      {actionError === undefined ? null : (
        <p class="form-error" role="alert">
          {actionError}
        </p>
      )}
      <JobOutputs job={job} />
      <JobFacts job={job} />
      <CallbackHistory client={client} job={job} />
    </section>
  );
}

function JobFacts(props: { job: JobView }) {
  const { job } = props;
  const metadata = job.metadata ?? {};
  const timing = metadata['timing'];
  const engineMs =
    typeof timing === 'object' && timing !== null
      ? (timing as Record<string, unknown>)['generate_ms']
      : undefined;
  const cost = formatCost(job.cost);
  const input = job.input ?? {};
  const rows: [string, string][] = [
    ['Model', job.model],
    ['Created through', job.dialect],
    ['Engine', typeof metadata['engine'] === 'string' ? metadata['engine'] : '—'],
    ['Mode', typeof metadata['mode'] === 'string' ? metadata['mode'] : '—'],
    ['Seed', String(metadata['seed'] ?? input['seed'] ?? '—')],
    ['Attempt', String(job.attempt)],
    ['Created', formatTime(job.created_at)],
    ['Started', formatTime(job.started_at)],
    ['Finished', formatTime(job.finished_at)],
    ['Waited in queue', formatMilliseconds(millisecondsBetween(job.created_at, job.started_at))],
    ['Ran for', formatMilliseconds(millisecondsBetween(job.started_at, job.finished_at))],
    ['Engine time', formatMilliseconds(typeof engineMs === 'number' ? engineMs : undefined)],
    ...(cost === undefined ? [] : [['Cost', cost] as [string, string]]),
  ];
  return (
    <div class="job-facts-grid">
      <section aria-labelledby="details-title">
        <h2 id="details-title">Details</h2>
        <dl class="facts">
          {rows.map(([name, value]) => (
            <div key={name}>
              <dt>{name}</dt>
              <dd>{value}</dd>
            </div>
          ))}
        </dl>
      </section>
      <section aria-labelledby="input-title">
        <h2 id="input-title">Inputs and parameters</h2>
        {job.input === undefined ? (
          <p class="help">This server does not report the job's input.</p>
        ) : (
          <dl class="facts">
            {requestEntries(job).map(([name, value]) => (
              <div key={name}>
                <dt>{name}</dt>
                <dd class={typeof value === 'string' && value.length > 60 ? 'long' : undefined}>
                  {typeof value === 'string' ? value : JSON.stringify(value)}
                </dd>
              </div>
            ))}
          </dl>
        )}
      </section>
    </div>
  );
}

/**
 * The input's fields, then what `POST /v1/jobs` took beside them (roles, the last-frame flag),
 * unless the input already has a field of that name (Ark's own `return_last_frame`).
 */
function requestEntries(job: JobView): [string, unknown][] {
  const entries: [string, unknown][] = Object.entries(job.input ?? {});
  const add = (name: string, value: unknown) => {
    if (!entries.some(([field]) => field === name)) entries.push([name, value]);
  };
  const roles = Object.entries(job.roles ?? {});
  if (roles.length > 0) add('roles', roles.map(([path, role]) => `${path}: ${role}`).join(', '));
  if (job.return_last_frame !== undefined) add('return_last_frame', job.return_last_frame);
  return entries;
}

function CallbackHistory(props: { client: ReelgateClient; job: JobView }) {
  const { client, job } = props;
  const [records, setRecords] = useState<readonly DeliveryRecord[] | undefined>(undefined);
  const [error, setError] = useState<string | undefined>(undefined);
  const [reads, setReads] = useState(0);
  const pending = records?.some((record) => record.status_code === 'pending') ?? false;
  // Read again when the job changes state (a status change is what queues a callback), and every
  // few seconds while a delivery is still being attempted.
  useEffect(() => {
    let cancelled = false;
    client.jobs
      .callbacks(job.id)
      .then((list) => {
        if (!cancelled) setRecords(list);
      })
      .catch((failure: unknown) => {
        if (!cancelled) setError(failure instanceof Error ? failure.message : String(failure));
      });
    return () => {
      cancelled = true;
    };
  }, [client, job.id, job.status, reads]);
  useEffect(() => {
    if (!pending) return undefined;
    const timer = window.setTimeout(() => setReads((count) => count + 1), callbackRefreshMs);
    return () => window.clearTimeout(timer);
  }, [pending, records]);
  return (
    <section aria-labelledby="callbacks-title">
      <h2 id="callbacks-title">Callbacks</h2>
      {error !== undefined ? (
        <p class="form-error">{error}</p>
      ) : records === undefined ? (
        <p>Loading…</p>
      ) : records.length === 0 ? (
        <p class="help">No callbacks: the job was submitted without a callback URL.</p>
      ) : (
        <ul class="callbacks">
          {records.map((record) => (
            <li key={record.id}>
              <code>{record.callback_url}</code> — <span class="delivery-state">{record.status_code}</span>{' '}
              after {record.attempt_count} of {record.max_attempts} attempts
              {typeof record['failure_detail'] === 'string' ? `: ${record['failure_detail']}` : ''}
              <ol>
                {record.attempts.map((attempt) => (
                  <li key={attempt.attempt_number}>
                    attempt {attempt.attempt_number}:{' '}
                    {attempt.status_code === null ? 'no answer' : `HTTP ${attempt.status_code}`}
                  </li>
                ))}
              </ol>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
