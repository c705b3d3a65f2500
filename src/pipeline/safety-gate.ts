import { createHash } from 'node:crypto';
import { AppError } from '../domain/app-error.ts';
import type { LocalMedia } from '../engines/engine.ts';
import type { PreparedInputs } from '../inputs/input-preparer.ts';
import type { ScoredFrame, StageReport } from '../safety/content-scan.ts';
import { describeMatch, summarizeFrames } from '../safety/content-scan.ts';
import type { FrameTap, SampledFrames, SampleFramesRequest } from '../safety/frame-sampler.ts';
import { createFrameTap } from '../safety/frame-sampler.ts';
import type { FrameClassifier } from '../safety/nsfw-classifier.ts';
import type { SafetyPolicy } from '../safety/safety-policy.ts';

export interface SafetyGateOptions {
  readonly policy: SafetyPolicy;
  readonly classifier: FrameClassifier;
  /** Decodes the frames to classify (`sampleFrames` with the process's ffmpeg). */
  readonly sampleFrames: (request: Omit<SampleFramesRequest, 'ffmpeg'>) => Promise<SampledFrames>;
}

/** One file to check: the output, or the input it is (`images[0]`, `videos[1]`). */
interface SampledFile {
  readonly source: string;
  readonly path: string;
  readonly kind: 'image' | 'video';
  readonly durationSeconds: number | undefined;
}

/** A produced video, as the pipeline knows it after probing. */
export interface CheckedVideo {
  readonly path: string;
  readonly durationSeconds: number;
}

/**
 * The pipeline's content-safety step (issue 11). `checkInputs` runs in the preparing stage,
 * before any engine; `checkOutputWhile` after the engine and post-processing, on frames from
 * the derived-images ffmpeg run, before anything is published (`checkOutput` decodes a video on
 * its own). Under `block` a stage that counts as NSFW throws `content_policy_violation` naming
 * the stage, so the job fails with nothing stored and nothing billed; under `flag` the reports
 * are recorded and the job goes on; under `off` nothing is decoded or classified.
 */
export class SafetyGate {
  private readonly options: SafetyGateOptions;

  constructor(options: SafetyGateOptions) {
    this.options = options;
  }

  /** Checks reference images and video frames; null when off or when there are none. */
  async checkInputs(inputs: PreparedInputs, signal: AbortSignal): Promise<StageReport | null> {
    const media: { source: string; media: LocalMedia }[] = [
      ...inputs.images.map((item, index) => ({ source: `images[${index}]`, media: item })),
      ...inputs.videos.map((item, index) => ({ source: `videos[${index}]`, media: item })),
    ];
    if (this.options.policy.mode === 'off' || media.length === 0) return null;
    const started = performance.now();
    // Decoding runs one file at a time, but each file's frames are classified (in the model's
    // thread) while it and the next file decode.
    const scoring: Promise<ScoredFrame[]>[] = [];
    try {
      for (const { source, media: item } of media) {
        const kind = item.kind === 'video' ? 'video' : 'image';
        const file = { source, path: item.path, kind, durationSeconds: item.durationSeconds } as const;
        scoring.push((await this.startScoring(file, signal)).scored);
      }
    } finally {
      await Promise.allSettled(scoring);
    }
    const frames = (await Promise.all(scoring)).flat();
    return this.decide(summarizeFrames('input', frames, this.options.policy), started);
  }

  /** Checks the finished video; null when off. */
  async checkOutput(video: CheckedVideo, signal: AbortSignal): Promise<StageReport | null> {
    if (this.options.policy.mode === 'off') return null;
    const started = performance.now();
    const frames = await (await this.startScoring(this.outputFile(video), signal)).scored;
    return this.decide(summarizeFrames('output', frames, this.options.policy), started);
  }

  /**
   * Checks the finished video on frames that `decode` takes from its own ffmpeg run — the
   * derived-images run, so the output is decoded once — and returns the verdict with what
   * `decode` returned. `decode` gets a {@link FrameTap} (undefined when off, when nothing is
   * checked) and must resolve only once its ffmpeg has exited; frames are classified as they
   * arrive. A `decode` that hands over no frame at all (a stand-in that ignores the tap) gets the
   * check's own decode instead, so the output is never passed unchecked. Under `block` the verdict
   * throws after `decode` has finished, before the caller publishes anything.
   */
  async checkOutputWhile<Decoded>(
    video: CheckedVideo,
    signal: AbortSignal,
    decode: (frameTap: FrameTap | undefined) => Promise<Decoded>,
  ): Promise<[StageReport | null, Decoded]> {
    if (this.options.policy.mode === 'off') return [null, await decode(undefined)];
    const started = performance.now();
    const scorer = this.scorer('output', signal);
    const tap = createFrameTap({
      kind: 'video',
      durationSeconds: video.durationSeconds,
      intervalSeconds: this.options.policy.frameIntervalSeconds,
      onFrame: (frame) => scorer.classify(frame),
    });
    let decoded: Decoded;
    try {
      decoded = await decode(tap);
    } catch (error) {
      await scorer.settle();
      throw error;
    }
    const sampled = tap.finish();
    const frames =
      sampled.frames.length > 0
        ? await scorer.scored(sampled)
        : await (
            await this.startScoring(this.outputFile(video), signal)
          ).scored;
    return [this.decide(summarizeFrames('output', frames, this.options.policy), started), decoded];
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
              backend: classifier.backend ?? null,
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

  private outputFile(video: CheckedVideo): SampledFile {
    return { source: 'output', path: video.path, kind: 'video', durationSeconds: video.durationSeconds };
  }

  /**
   * Decodes one file's sample frames with its own ffmpeg run and classifies each frame the moment
   * the sampler hands it over, so the classifier works while ffmpeg is still decoding. Resolves
   * once decoding is done, with the (still running) classification.
   */
  private async startScoring(
    file: SampledFile,
    signal: AbortSignal,
  ): Promise<{ readonly scored: Promise<ScoredFrame[]> }> {
    const scorer = this.scorer(file.source, signal);
    let sampled: SampledFrames;
    try {
      sampled = await this.options.sampleFrames({
        file: file.path,
        kind: file.kind,
        durationSeconds: file.durationSeconds,
        intervalSeconds: this.options.policy.frameIntervalSeconds,
        signal,
        errorCode: file.source === 'output' ? 'output_invalid' : 'input_rejected',
        onFrame: (frame) => scorer.classify(frame),
      });
    } catch (error) {
      await scorer.settle();
      throw error;
    }
    return { scored: scorer.scored(sampled) };
  }

  /**
   * Classifies one file's frames as they are handed over (`classify`), in the model's thread.
   * Every pending classification has a handler from the start, so a failure is never an unhandled
   * rejection — it surfaces where `scored` is awaited. Identical frames (a still shot, a held
   * first frame) are classified once: the model is deterministic, so the copy scores the same.
   */
  private scorer(source: string, signal: AbortSignal) {
    const known = new Map<string, Promise<number[]>>();
    const pending: Promise<number[]>[] = [];
    const classify = (frame: Uint8Array): void => {
      const digest = createHash('sha1').update(frame).digest('hex');
      let scores = known.get(digest);
      if (scores === undefined) {
        scores = this.options.classifier.classify(frame, signal);
        scores.catch(() => undefined);
        known.set(digest, scores);
      }
      pending.push(scores);
    };
    return {
      classify,
      /** Waits for the classifications in flight (after a failed decode). */
      settle: () => Promise.allSettled(pending),
      /** All frames' scores; a decoder that did not stream leaves its frames to be classified now. */
      scored: (sampled: SampledFrames): Promise<ScoredFrame[]> => {
        for (const frame of sampled.frames.slice(pending.length)) classify(frame);
        const scored = Promise.all(pending).then((all) =>
          all.map((scores, index) => ({ source, timeSeconds: sampled.times[index] ?? 0, scores })),
        );
        scored.catch(() => undefined);
        return scored;
      },
    };
  }
}
