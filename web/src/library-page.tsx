import { useEffect, useState } from 'preact/hooks';
import type { JobStatus, JobView, ModelInfo, ReelgateClient } from '../../src/client/index.ts';
import { isTerminalStatus, jobStatuses } from '../../src/client/index.ts';
import { JobCard } from './job-card.tsx';
import { navigate } from './router.tsx';

const pageSize = 24;
/** While a listed job is unfinished, the first page is read again this often. */
const refreshMs = 2000;

interface Listing {
  readonly jobs: readonly JobView[];
  readonly nextCursor: string | null;
}

/**
 * The key's generations, newest first, filtered by status and model. The filters live in the
 * URL (`?status=…&model=…`), so a filtered view can be reloaded and shared.
 */
export function LibraryPage(props: { client: ReelgateClient; search: URLSearchParams }) {
  const { client } = props;
  const statusParameter = props.search.get('status') ?? '';
  const status = (jobStatuses as readonly string[]).includes(statusParameter)
    ? (statusParameter as JobStatus)
    : undefined;
  const model = props.search.get('model') ?? undefined;
  const [models, setModels] = useState<readonly ModelInfo[]>([]);
  const [listing, setListing] = useState<Listing | undefined>(undefined);
  const [error, setError] = useState<string | undefined>(undefined);
  const [loadingMore, setLoadingMore] = useState(false);

  useEffect(() => {
    client.models.list().then(setModels, () => setModels([]));
  }, [client]);

  const filters = { ...(status === undefined ? {} : { status }), ...(model === undefined ? {} : { model }) };
  const filterKey = `${status ?? ''}|${model ?? ''}`;

  useEffect(() => {
    let cancelled = false;
    setListing(undefined);
    setError(undefined);
    client.jobs
      .list({ ...filters, limit: pageSize })
      .then((page) => {
        if (!cancelled) setListing({ jobs: page.data, nextCursor: page.has_more ? page.next_cursor : null });
      })
      .catch((failure: unknown) => {
        if (!cancelled) setError(failure instanceof Error ? failure.message : String(failure));
      });
    return () => {
      cancelled = true;
    };
    // `filters` is rebuilt each render; `filterKey` is its value.
  }, [client, filterKey]);

  // Unfinished jobs move on by themselves: refresh what is shown until every one has finished.
  const unfinished = listing?.jobs.some((job) => !isTerminalStatus(job.status)) ?? false;
  useEffect(() => {
    if (!unfinished) return undefined;
    const timer = window.setInterval(() => {
      client.jobs
        .list({ ...filters, limit: Math.max(pageSize, listing?.jobs.length ?? 0) })
        .then((page) =>
          setListing((current) => ({
            jobs: page.data,
            nextCursor: page.has_more ? page.next_cursor : (current?.nextCursor ?? null),
          })),
        )
        .catch(() => undefined);
    }, refreshMs);
    return () => window.clearInterval(timer);
  }, [client, filterKey, unfinished]);

  const setFilter = (name: 'status' | 'model', value: string) => {
    const next = new URLSearchParams(props.search);
    if (value === '') next.delete(name);
    else next.set(name, value);
    const query = next.toString();
    navigate(`/library${query === '' ? '' : `?${query}`}`, { replace: true });
  };

  const loadMore = async () => {
    const cursor = listing?.nextCursor ?? null;
    if (listing === undefined || cursor === null) return;
    setLoadingMore(true);
    try {
      const page = await client.jobs.list({ ...filters, limit: pageSize, after: cursor });
      setListing({
        jobs: [...listing.jobs, ...page.data],
        nextCursor: page.has_more ? page.next_cursor : null,
      });
    } catch (failure) {
      setError(failure instanceof Error ? failure.message : String(failure));
    } finally {
      setLoadingMore(false);
    }
  };

  return (
    <section class="page library" aria-labelledby="library-title">
      <h1 id="library-title">Library</h1>
      <div class="filters" role="search" aria-label="Filter generations">
        <div class="field">
          <label for="filter-status">Status</label>
          <select
            id="filter-status"
            value={status ?? ''}
            onChange={(event) => setFilter('status', event.currentTarget.value)}
          >
            <option value="">All statuses</option>
            {jobStatuses.map((candidate) => (
              <option key={candidate} value={candidate}>
                {candidate}
              </option>
            ))}
          </select>
        </div>
        <div class="field">
          <label for="filter-model">Model</label>
          <select
            id="filter-model"
            value={model ?? ''}
            onChange={(event) => setFilter('model', event.currentTarget.value)}
          >
            <option value="">All models</option>
            {models.map((candidate) => (
              <option key={candidate.id} value={candidate.id}>
                {candidate.name}
              </option>
            ))}
            {model !== undefined && !models.some((candidate) => candidate.id === model) ? (
              <option value={model}>{model}</option>
            ) : null}
          </select>
        </div>
      </div>
      {error === undefined ? null : (
        <p class="form-error" role="alert">
          {error}
        </p>
      )}
      {listing === undefined ? (
        error === undefined ? (
          <p>Loading…</p>
        ) : null
      ) : listing.jobs.length === 0 ? (
        <p class="empty">No generations match these filters.</p>
      ) : (
        <ul class="job-grid" aria-label="Generations">
          {listing.jobs.map((job) => (
            <JobCard key={job.id} job={job} />
          ))}
        </ul>
      )}
      {(listing?.nextCursor ?? null) === null ? null : (
        <button type="button" class="secondary" onClick={loadMore} disabled={loadingMore}>
          {loadingMore ? 'Loading…' : 'Load more'}
        </button>
      )}
    </section>
  );
}
