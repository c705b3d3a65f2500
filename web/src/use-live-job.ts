import { useEffect, useState } from 'preact/hooks';
import type { JobView, ReelgateClient } from '../../src/client/index.ts';
import { isTerminalStatus } from '../../src/client/index.ts';

export interface LiveJob {
  readonly job: JobView | undefined;
  readonly error: string | undefined;
  /** Replace the shown job (after an action answered with the new state). */
  readonly setJob: (job: JobView) => void;
}

/**
 * A job kept current while it is on screen: read once, then followed through the SDK's `wait`
 * (the SSE stream, polling where that fails) until it reaches a terminal status. Leaving the page
 * aborts the stream.
 */
export function useLiveJob(client: ReelgateClient, id: string, initial?: JobView): LiveJob {
  const [job, setJob] = useState<JobView | undefined>(initial?.id === id ? initial : undefined);
  const [error, setError] = useState<string | undefined>(undefined);

  useEffect(() => {
    const controller = new AbortController();
    const signal = controller.signal;
    setError(undefined);
    const follow = async () => {
      const first = initial?.id === id ? initial : await client.jobs.get(id);
      if (signal.aborted) return;
      setJob(first);
      if (isTerminalStatus(first.status)) return;
      const last = await client.jobs.wait(id, {
        signal,
        onProgress: (update) => {
          if (!signal.aborted) setJob(update);
        },
      });
      if (!signal.aborted) setJob(last);
    };
    follow().catch((failure: unknown) => {
      if (!signal.aborted) setError(failure instanceof Error ? failure.message : String(failure));
    });
    return () => controller.abort();
    // `initial` only seeds the first render of this id, so it is not a dependency.
  }, [client, id]);

  return { job, error, setJob };
}
