/** One progress report of a running ffmpeg, parsed from its `-progress` key=value stream. */
export interface FfmpegProgress {
  /** Share of the expected output written so far, 0–1; `undefined` when nothing was expected. */
  readonly fraction: number | undefined;
  /** Frames written so far, when ffmpeg reported a number. */
  readonly frame: number | undefined;
  /** Output timestamp reached, in seconds, when ffmpeg reported one. */
  readonly outTimeSeconds: number | undefined;
  /** True on ffmpeg's last report (`progress=end`). */
  readonly done: boolean;
}

/** What the run is expected to produce, so progress can be expressed as a fraction. */
export interface ProgressExpectation {
  readonly durationSeconds?: number | undefined;
  readonly frames?: number | undefined;
}

/**
 * Returns a function to feed ffmpeg's `-progress pipe:1` output to, chunk by chunk. ffmpeg writes
 * blocks of `key=value` lines closed by `progress=continue` or `progress=end`; each closed block
 * becomes one call of `onProgress`. Frames are preferred over time because the frame count is
 * exact, while `out_time` lags by the encoder's delay. `out_time_ms` is read as microseconds, as
 * ffmpeg has always written it (the name is a historical mistake it kept for compatibility).
 */
export function createProgressParser(
  expectation: ProgressExpectation,
  onProgress: (progress: FfmpegProgress) => void,
): (chunk: string) => void {
  let pending = '';
  let block = new Map<string, string>();
  return (chunk: string) => {
    pending += chunk;
    let newline = pending.indexOf('\n');
    while (newline >= 0) {
      const line = pending.slice(0, newline).trim();
      pending = pending.slice(newline + 1);
      newline = pending.indexOf('\n');
      const equals = line.indexOf('=');
      if (equals <= 0) continue;
      const key = line.slice(0, equals).trim();
      const value = line.slice(equals + 1).trim();
      if (key !== 'progress') {
        block.set(key, value);
        continue;
      }
      onProgress(summarise(block, value === 'end', expectation));
      block = new Map();
    }
  };
}

function summarise(
  block: ReadonlyMap<string, string>,
  done: boolean,
  expectation: ProgressExpectation,
): FfmpegProgress {
  const frame = finiteNumber(block.get('frame'));
  const microseconds = finiteNumber(block.get('out_time_us')) ?? finiteNumber(block.get('out_time_ms'));
  const outTimeSeconds =
    microseconds === undefined ? clockToSeconds(block.get('out_time')) : Math.max(0, microseconds / 1e6);
  let fraction: number | undefined;
  if (expectation.frames !== undefined && expectation.frames > 0 && frame !== undefined) {
    fraction = frame / expectation.frames;
  } else if (
    expectation.durationSeconds !== undefined &&
    expectation.durationSeconds > 0 &&
    outTimeSeconds !== undefined
  ) {
    fraction = outTimeSeconds / expectation.durationSeconds;
  }
  if (done && (expectation.frames !== undefined || expectation.durationSeconds !== undefined)) fraction = 1;
  return {
    fraction: fraction === undefined ? undefined : Math.min(1, Math.max(0, fraction)),
    frame,
    outTimeSeconds,
    done,
  };
}

function finiteNumber(text: string | undefined): number | undefined {
  if (text === undefined || text === '' || text === 'N/A') return undefined;
  const value = Number(text);
  return Number.isFinite(value) ? value : undefined;
}

function clockToSeconds(text: string | undefined): number | undefined {
  const match = text === undefined ? null : /^(-?)(\d+):(\d{2}):(\d{2}(?:\.\d+)?)$/.exec(text);
  if (match === null) return undefined;
  const seconds = Number(match[2]) * 3600 + Number(match[3]) * 60 + Number(match[4]);
  return match[1] === '-' ? 0 : seconds;
}
