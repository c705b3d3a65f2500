import { mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from 'pino';
import { AppError } from '../domain/app-error.ts';
import type { Artifact, Job, JobResult } from '../domain/job.ts';
import { frameCount, outputFps, pixelSize } from '../domain/media-facts.ts';
import type { Engine, GenerationTask } from '../engines/engine.ts';
import type { BlobStore } from '../storage/blob-store.ts';
import type { PreparedInputs } from '../inputs/input-preparer.ts';
import type { AttemptControls, JobRunner } from '../worker/job-runner.ts';
import { adaptiveRatio } from './adaptive-ratio.ts';
import type { DerivedImage, DeriveImagesRequest } from './derived-images.ts';
import type { PostProcessRequest, PostProcessResult } from './conform-output.ts';
import { conformOutput } from './conform-output.ts';
import type { VideoFacts } from './output-check.ts';
import type { SafetyGate } from './safety-gate.ts';

export interface PipelineOptions {
  /** The engine that runs a model (the catalog's default engine, or an operator's route). */
  readonly engineFor: (model: string) => Engine;
  readonly blobStore: BlobStore;
  /** Reads the facts of a produced video (ffprobe). */
  readonly probeVideo: (file: string, signal: AbortSignal) => Promise<VideoFacts>;
  /** Conforms an output that breaks the contract and draws the watermark (one ffmpeg pass). */
  readonly postProcess: (request: PostProcessRequest) => Promise<PostProcessResult>;
  /** Fetches, checks and lays out the job's media inputs (see `src/inputs/input-preparer.ts`). */
  readonly prepareInputs: (job: Job, workdir: string, signal: AbortSignal) => Promise<PreparedInputs>;
  /** Content safety: checks inputs before the engine and the output before publishing. */
  readonly safety?: SafetyGate | undefined;
  /** Makes the thumbnail, spritesheet and (when asked) last-frame images of a checked video. */
  readonly deriveImages: (request: DeriveImagesRequest) => Promise<DerivedImage[]>;
  /** Parent of every attempt's private scratch folder. */
  readonly scratchDir: string;
  readonly logger: Logger;
  readonly now?: () => number;
}

/** Share of the progress bar each stage owns; generation dominates. */
const stageSpan = {
  preparing: [0, 0.02],
  generating: [0.02, 0.95],
  checking: [0.95, 0.97],
  publishing: [0.97, 1],
} as const;

/**
 * One attempt of one job: prepare the task (exact size, frames, resolved ratio) → engine →
 * post-process (conform, watermark) and check the output → publish it to the BlobStore. The
 * attempt's scratch folder is removed at the end whatever happens.
 */
export class Pipeline implements JobRunner {
  private readonly options: PipelineOptions;
  private readonly now: () => number;

  constructor(options: PipelineOptions) {
    this.options = options;
    this.now = options.now ?? Date.now;
  }

  async run(job: Job, controls: AttemptControls): Promise<JobResult> {
    const started = this.now();
    const workdir = path.join(this.options.scratchDir, job.id, `attempt-${job.attempt}`);
    await mkdir(workdir, { recursive: true });
    try {
      controls.reportProgress(0, 'preparing');
      const inputs = await this.options.prepareInputs(job, workdir, controls.signal);
      const inputSafety = (await this.options.safety?.checkInputs(inputs, controls.signal)) ?? null;
      const { task, aspectRatio } = prepareTask(job, inputs);
      const engine = this.options.engineFor(job.model);
      const support = engine.supports(task);
      if (!support.ok)
        throw new AppError(
          'engine_unavailable',
          `engine ${engine.id} cannot run this request: ${support.reason}`,
        );

      const [from, to] = stageSpan.generating;
      const jobLogger = this.options.logger.child({ jobId: job.id, engine: engine.id });
      controls.reportProgress(from, 'generating');
      const generated = await engine.generate(task, {
        signal: controls.signal,
        workdir,
        // The engine's own words (a ComfyUI node, "rendering") ride along as the stage's detail.
        reportProgress: (fraction, message) =>
          controls.reportProgress(
            from + (to - from) * clamp(fraction),
            message === undefined ? 'generating' : `generating: ${message}`,
          ),
        checkpoint: job.checkpoint ?? undefined,
        saveCheckpoint: controls.saveCheckpoint,
        logger: jobLogger,
      });
      const generatedAt = this.now();

      controls.reportProgress(stageSpan.checking[0], 'checking');
      const output = await conformOutput(this.options, {
        videoPath: generated.videoPath,
        task,
        watermark: job.request.watermark,
        workdir,
        signal: controls.signal,
        logger: jobLogger,
      });
      const { videoPath, facts } = output;
      const deriveRequest: DeriveImagesRequest = {
        videoPath,
        workdir,
        width: facts.width,
        height: facts.height,
        durationSeconds: facts.durationSeconds,
        lastFrame: job.request.returnLastFrame,
        signal: controls.signal,
      };
      // The content check classifies frames that the derived-images ffmpeg run decodes anyway
      // (one decode of the output). Its verdict comes after that run has exited and before
      // anything is published: a block throws here, with nothing stored, and no ffmpeg is left
      // writing into the scratch folder being removed.
      const [outputSafety, images] =
        this.options.safety === undefined
          ? [null, await this.options.deriveImages(deriveRequest)]
          : await this.options.safety.checkOutputWhile(
              { path: videoPath, durationSeconds: facts.durationSeconds },
              controls.signal,
              (frameTap) => this.options.deriveImages({ ...deriveRequest, frameTap }),
            );

      controls.reportProgress(stageSpan.publishing[0], 'publishing');
      const artifacts = [await this.publishVideo(job, videoPath, facts)];
      for (const image of images) artifacts.push(await this.publishImage(job, image));
      return {
        artifacts,
        metadata: {
          // A route of several engines says which one ran and which it passed over.
          engine: generated.routing?.engine ?? engine.id,
          ...(generated.routing === undefined ? {} : { engines_skipped: generated.routing.skipped }),
          mode: task.mode,
          aspect_ratio: aspectRatio,
          width: task.width,
          height: task.height,
          fps: task.fps,
          frames: task.frameCount,
          duration_seconds: task.durationSeconds,
          seed: task.seed,
          generate_audio: task.generateAudio,
          ...(job.request.webSearch ? { web_search: 'requested; this engine cannot search the web' } : {}),
          timing: { generate_ms: generatedAt - started, total_ms: this.now() - started },
          engine_details: generated.metadata,
          ...output.metadata,
          ...(this.options.safety === undefined
            ? {}
            : { safety: this.options.safety.report(inputSafety, outputSafety) }),
        },
      };
    } finally {
      await rm(workdir, { recursive: true, force: true });
      await rm(path.dirname(workdir), { recursive: false, force: true }).catch(() => undefined);
    }
  }

  private async publishVideo(job: Job, file: string, facts: VideoFacts): Promise<Artifact> {
    const stored = await this.options.blobStore.put(outputKey(job, 'video.mp4'), { path: file }, 'video/mp4');
    return {
      kind: 'video',
      role: 'video',
      blobKey: stored.key,
      contentType: stored.contentType,
      bytes: stored.size,
      width: facts.width,
      height: facts.height,
      durationSeconds: facts.durationSeconds,
      fps: facts.fps,
      hasAudio: facts.hasAudio,
    };
  }

  private async publishImage(job: Job, image: DerivedImage): Promise<Artifact> {
    const stored = await this.options.blobStore.put(
      outputKey(job, path.basename(image.path)),
      { path: image.path },
      image.contentType,
    );
    return {
      kind: 'image',
      role: image.role,
      blobKey: stored.key,
      contentType: stored.contentType,
      bytes: stored.size,
      width: image.width,
      height: image.height,
      durationSeconds: 0,
      fps: 0,
      hasAudio: false,
    };
  }
}

/** Blob key for an output: one folder per job. */
function outputKey(job: Job, file: string): string {
  return `outputs/${job.id}/${file}`;
}

/**
 * Resolves everything the engine must not guess: `adaptive`, the exact pixel size from the table,
 * and the frame count.
 */
export function prepareTask(
  job: Job,
  inputs: PreparedInputs = { images: [], videos: [], audios: [] },
): { task: GenerationTask; aspectRatio: string } {
  const request = job.request;
  const aspectRatio = request.aspectRatio === 'adaptive' ? adaptiveRatio(inputs.images) : request.aspectRatio;
  const size = pixelSize(request.resolution, aspectRatio);
  return {
    aspectRatio,
    task: {
      jobId: job.id,
      model: request.model,
      mode: request.mode,
      prompt: request.prompt,
      width: size.width,
      height: size.height,
      fps: outputFps,
      durationSeconds: request.durationSeconds,
      frameCount: frameCount(request.durationSeconds),
      seed: request.seed,
      generateAudio: request.generateAudio,
      images: inputs.images,
      videos: inputs.videos,
      audios: inputs.audios,
      parameters: job.input,
    },
  };
}

function clamp(fraction: number): number {
  return Math.min(1, Math.max(0, fraction));
}
