import { createHash } from 'node:crypto';
import { AppError } from '../domain/app-error.ts';
import type { LocalMedia } from '../engines/engine.ts';
import type { PreparedInputs } from '../inputs/input-preparer.ts';
import type { ScoredFrame, StageReport } from '../safety/content-scan.ts';
import { describeMatch, summarizeFrames } from '../safety/content-scan.ts';
import type { SampledFrames, SampleFramesRequest } from '../safety/frame-sampler.ts';
import type { FrameClassifier } from '../safety/nsfw-classifier.ts';
import type { SafetyPolicy } from '../safety/safety-policy.ts';

export interface SafetyGateOptions {
  readonly policy: SafetyPolicy;
  readonly classifier: FrameClassifier;
  /** Decodes the frames to classify (`sampleFrames` with the process's ffmpeg). */
  readonly sampleFrames: (request: Omit<SampleFramesRequest, 'ffmpeg'>) => Promise<SampledFrames>;
}

/** A produced video, as the pipeline knows it after probing. */
export interface CheckedVideo {
  readonly path: string;
  readonly durationSeconds: number;
}

/**
 * The pipeline's content-safety step (issue 11). `checkInputs` runs in the preparing stage,
 * before any engine; `checkOutput` after the engine and post-processing, before anything is
 * published. Under `block` a stage that counts as NSFW throws `content_policy_violation` naming
 * the stage, so the job fails with nothing stored and nothing billed; under `flag` the reports
 * are recorded and the job goes on; under `off` nothing is decoded or classified.
 */
export class SafetyGate {
  private readonly options: SafetyGateOptions;

  constructor(options: SafetyGateOptions) {
    this.options = options;
  }

  /** Checks reference images and video frames; null when off or when there are none. */
  async checkInputs(
    inputs: PreparedInputs,
    workdir: string,
    signal: AbortSignal,
  ): Promise<StageReport | null> {
    const media: { source: string; media: LocalMedia }[] = [
      ...inputs.images.map((item, index) => ({ source: `images[${index}]`, media: item })),
      ...inputs.videos.map((item, index) => ({ source: `videos[${index}]`, media: item })),
    ];
    if (this.options.policy.mode === 'off' || media.length === 0) return null;
    const started = performance.now();
    const frames: ScoredFrame[] = [];
    for (const { source, media: item } of media) {
      const kind = item.kind === 'video' ? 'video' : 'image';
      frames.push(...(await this.scoreFile(source, item.path, kind, item.durationSeconds, workdir, signal)));
    }
    return this.decide(summarizeFrames('input', frames, this.options.policy), started);
  }

  /** Checks the finished video; null when off. */
  async checkOutput(video: CheckedVideo, workdir: string, signal: AbortSignal): Promise<StageReport | null> {
    if (this.options.policy.mode === 'off') return null;
    const started = performance.now();
    const frames = await this.scoreFile(
      'output',
      video.path,
      'video',
      video.durationSeconds,
      workdir,
      signal,
    );
    return this.decide(summarizeFrames('output', frames, this.options.policy), started);
  }

  /**
   * The job's `safety` metadata: the verdict on the output (`nsfw_detected`, null when not
   * checked — what Runflow's output reports), the policy, each stage's report, and the process's
   * classifier (name, how many times it loaded, how long the load took).
   */
  report(input: StageReport | null, output: StageReport | null): Record<string, unknown> {
    const { mode, categories, threshold, frameIntervalSeconds } = this.options.policy;
    const classifier = this.options.classifier.stats();
    return {
      nsfw_detected: output === null ? null : output.nsfw_detected,
      policy: { mode, categories, threshold, frame_interval_seconds: frameIntervalSeconds },
      input,
      output,
      ...(mode === 'off'
        ? {}
        : {
            classifier: {
              model: classifier.model ?? null,
              process_loads: classifier.loads,
              load_ms: classifier.loadMs ?? null,
            },
          }),
    };
  }

  /** Blocks under `block`; otherwise returns the report with the stage's wall-clock time. */
  private decide(summary: StageReport, started: number): StageReport {
    const report = { ...summary, elapsed_ms: Math.round(performance.now() - started) };
    if (report.nsfw_detected && this.options.policy.mode === 'block') {
      throw new AppError(
        'content_policy_violation',
        `blocked by the content policy at stage ${report.stage}: ${describeMatch(report, this.options.policy.threshold)}`,
      );
    }
    return report;
  }

  /**
   * Decodes and classifies one file's sample frames. Identical frames (a still shot, a held
   * first frame) are classified once: the model is deterministic, so the copy scores the same.
   */
  private async scoreFile(
    source: string,
    file: string,
    kind: 'image' | 'video',
    durationSeconds: number | undefined,
    workdir: string,
    signal: AbortSignal,
  ): Promise<ScoredFrame[]> {
    const sampled = await this.options.sampleFrames({
      file,
      kind,
      durationSeconds,
      intervalSeconds: this.options.policy.frameIntervalSeconds,
      workdir,
      signal,
      errorCode: source === 'output' ? 'output_invalid' : 'input_rejected',
    });
    const known = new Map<string, readonly number[]>();
    const scored: ScoredFrame[] = [];
    for (const [index, frame] of sampled.frames.entries()) {
      const digest = createHash('sha1').update(frame).digest('hex');
      let scores = known.get(digest);
      if (scores === undefined) {
        scores = await this.options.classifier.classify(frame, signal);
        known.set(digest, scores);
      }
      scored.push({ source, timeSeconds: sampled.times[index] ?? 0, scores });
    }
    return scored;
  }
}
