import type { JobOutput, JobView } from '../../src/client/index.ts';

/** Small display helpers shared by the pages. */

export function outputOf(job: JobView, role: string): JobOutput | undefined {
  return job.outputs.find((output) => output.role === role);
}

/** "2 s", "1 min 5 s". */
export function formatSeconds(seconds: number): string {
  if (seconds < 60) return `${Math.round(seconds * 10) / 10} s`;
  const minutes = Math.floor(seconds / 60);
  return `${minutes} min ${Math.round(seconds - minutes * 60)} s`;
}

/** Milliseconds between two ISO times, or undefined when either is missing. */
export function millisecondsBetween(from: string | null, to: string | null): number | undefined {
  if (from === null || to === null) return undefined;
  return Date.parse(to) - Date.parse(from);
}

export function formatMilliseconds(ms: number | undefined): string {
  if (ms === undefined || !Number.isFinite(ms)) return '—';
  return ms < 1000 ? `${Math.round(ms)} ms` : formatSeconds(ms / 1000);
}

export function formatTime(iso: string | null): string {
  if (iso === null) return '—';
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : date.toLocaleString();
}

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

/**
 * The job's cost for display. Servers without metering send none; the usage feature's shape may
 * be a number of dollars or an object with an amount and a currency, so both are read.
 */
export function formatCost(cost: unknown): string | undefined {
  if (typeof cost === 'number') return `$${cost.toFixed(4)}`;
  if (typeof cost !== 'object' || cost === null) return undefined;
  const record = cost as Record<string, unknown>;
  const amount = [record['amount_usd'], record['usd'], record['amount'], record['total']].find(
    (value) => typeof value === 'number',
  );
  if (typeof amount !== 'number') return undefined;
  const currency = typeof record['currency'] === 'string' ? record['currency'].toUpperCase() : 'USD';
  return currency === 'USD' ? `$${amount.toFixed(4)}` : `${amount.toFixed(4)} ${currency}`;
}

/** The video's length: from the output when there is one, else the requested duration. */
export function jobDurationSeconds(job: JobView): number | undefined {
  const video = outputOf(job, 'video');
  if (video?.duration_seconds !== undefined) return video.duration_seconds;
  const requested = job.input?.['duration'];
  return typeof requested === 'number' ? requested : undefined;
}

/** The prompt, whichever field the model calls it (`prompt`, `text`). */
export function jobPrompt(job: JobView): string {
  const input = job.input ?? {};
  const prompt = input['prompt'] ?? input['text'];
  return typeof prompt === 'string' ? prompt : '';
}

export function describeStatus(job: JobView): string {
  if (job.status === 'queued') {
    // The server's position is 0-based: 0 means next to start.
    if (job.queue_position === undefined) return 'queued';
    return job.queue_position === 0 ? 'queued · next' : `queued · ${job.queue_position} ahead`;
  }
  if (job.status === 'running') {
    const stage = job.stage === null ? '' : ` · ${job.stage}`;
    return `running · ${Math.round(job.progress * 100)} %${stage}`;
  }
  return job.status;
}
