import type { JobView } from '../client/index.ts';

/** Where progress goes: a terminal (redrawn in place), a log or pipe (plain lines), or nowhere. */
export type ProgressMode = 'tty' | 'plain' | 'silent';

interface Output {
  write(text: string): unknown;
  readonly columns?: number;
}

const spinner = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];
const barWidth = 24;

/**
 * The live status of one job. On a terminal: one line redrawn in place — queue position while
 * queued, then a bar with the percentage and stage, with elapsed time and a spinner that moves
 * even when the job reports nothing new. Elsewhere: a plain line per change of status or stage
 * and per 10 % of progress, so logs stay readable.
 */
export class ProgressDisplay {
  private readonly output: Output;
  private readonly mode: ProgressMode;
  private readonly now: () => number;
  private readonly startedAt: number;
  private job: JobView | undefined;
  private lastPlain = '';
  private frame = 0;
  private timer: ReturnType<typeof setInterval> | undefined;

  constructor(output: Output, mode: ProgressMode, now: () => number = Date.now) {
    this.output = output;
    this.mode = mode;
    this.now = now;
    this.startedAt = now();
    if (mode === 'tty') {
      this.timer = setInterval(() => this.draw(), 120);
      this.timer.unref();
    }
  }

  /** A job state from the stream or a poll. */
  update(job: JobView): void {
    this.job = job;
    if (this.mode === 'tty') this.draw();
    if (this.mode === 'plain') {
      const line = plainLine(job);
      if (line !== this.lastPlain) this.output.write(`${line}\n`);
      this.lastPlain = line;
    }
  }

  /** A message printed above the live line (or as a plain line). */
  note(text: string): void {
    if (this.mode === 'silent') return;
    if (this.mode === 'tty') this.output.write('\r\x1b[2K');
    this.output.write(`${text}\n`);
    if (this.mode === 'tty' && this.job !== undefined) this.draw();
  }

  /** Stops redrawing and clears the live line. */
  stop(): void {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
    if (this.mode === 'tty') this.output.write('\r\x1b[2K');
  }

  private draw(): void {
    if (this.job === undefined) return;
    this.frame = (this.frame + 1) % spinner.length;
    const elapsed = `${Math.floor((this.now() - this.startedAt) / 1000)}s`;
    const line = `${spinner[this.frame] ?? ''} ${ttyLine(this.job)}  ${elapsed}`;
    // A terminal that reports no size (0 columns: some ptys, CI) gets the usual 80.
    const columns = this.output.columns === undefined || this.output.columns === 0 ? 80 : this.output.columns;
    const width = Math.max(20, columns - 1);
    this.output.write(`\r\x1b[2K${line.slice(0, width)}`);
  }
}

/** `[██████░░░░]  60% rendering` or `queued · position 3`. */
export function ttyLine(job: JobView): string {
  if (job.status === 'queued') {
    return job.queue_position === undefined ? 'queued' : `queued · position ${job.queue_position + 1}`;
  }
  const percent = Math.round(job.progress * 100);
  const filled = Math.round((percent / 100) * barWidth);
  const bar = `${'█'.repeat(filled)}${'░'.repeat(barWidth - filled)}`;
  return `${bar} ${String(percent).padStart(3)}% ${job.status === 'running' ? (job.stage ?? 'running') : job.status}`;
}

/** The plain line for a state; equal lines are printed once. */
export function plainLine(job: JobView): string {
  if (job.status === 'queued') {
    return job.queue_position === undefined ? 'queued' : `queued (position ${job.queue_position + 1})`;
  }
  if (job.status !== 'running') return job.status;
  const step = Math.floor(job.progress * 10) * 10;
  return `running ${step}%${job.stage === null ? '' : ` ${job.stage}`}`;
}
