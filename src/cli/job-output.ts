import type { JobView } from '../client/index.ts';

/** How the client commands print jobs. */

/** One JSON line on stdout (for `--json`). */
export function printJsonLine(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value)}\n`);
}

/** `864×496, 2.0 s, with audio, 312 kB`. */
export function summarizeVideo(job: JobView): string {
  const video = job.outputs.find((output) => output.role === 'video');
  if (video === undefined) return 'no video';
  const seconds = video.duration_seconds === undefined ? '' : `, ${video.duration_seconds.toFixed(1)} s`;
  const audio = video.has_audio === true ? ', with audio' : ', no audio';
  return `${video.width}×${video.height}${seconds}${audio}, ${Math.round(video.bytes / 1024)} kB`;
}

/** One row of `reelgate jobs list`. */
export function jobRow(job: JobView): string {
  const progress = job.status === 'running' ? ` ${Math.round(job.progress * 100)}%` : '';
  return [job.id, `${job.status}${progress}`, job.model, job.created_at].join('\t');
}
