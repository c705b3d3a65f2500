import { mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import type { Engine, EngineContext, EngineResult, EngineSupport, GenerationTask } from '../engine.ts';
import { AppError } from '../../domain/app-error.ts';
import type { FfmpegBinaries } from '../../media/ffmpeg-binaries.ts';
import { abortReason, runFfmpeg } from '../../media/run-ffmpeg.ts';
import { ambienceSampleRate } from './ambience.ts';
import { describeRender } from './animatic-metadata.ts';
import { modeInputIssue, resolveAnimaticMode } from './animatic-mode.ts';
import { prepareAudio, soundtrackGraph, type PreparedAudio } from './audio-preparation.ts';
import { planGeometry } from './camera-path.ts';
import { buildAnimaticGraph, type FootageGraphInput, type RawPicture } from './filter-graph.ts';
import { planFootage, type FootagePlan } from './footage-plan.ts';
import { planShotPictures, type AnimaticShot } from './picture-plan.ts';
import { planPrompt } from './prompt-plan.ts';
import {
  imageStill,
  prepareShot,
  type PreparedShot,
  type ShotPreparationContext,
} from './shot-preparation.ts';

/** Construction options of {@link AnimaticEngine}. */
export interface AnimaticEngineOptions {
  readonly binaries: FfmpegBinaries;
  /** Absolute path of the caption font (see `locateFont`). */
  readonly fontFile: string;
  /** Wall-clock limit of one ffmpeg render; default 10 minutes. */
  readonly timeoutMs?: number;
  /**
   * x264 preset. `superfast` renders a 5 s 720p clip at several times realtime on two cores with
   * far less banding in the skies than `ultrafast`.
   */
  readonly x264Preset?: string;
}

/** Sides beyond this are not a previz any more; 4096 also keeps the paint buffers modest. */
const maximumSide = 4096;
const maximumSeconds = 120;
/** x264's own threading is deterministic for a fixed thread count, on any machine. */
const encoderThreads = '2';
/**
 * Decoding one input image into a still, speaking one line or decoding one audio clip takes well
 * under a second; a minute means a hostile file or a stuck process.
 */
const stepTimeoutMs = 60_000;

/**
 * The built-in "animatic" engine (DESIGN.md §7): previz on the CPU with ffmpeg, for every
 * Seedance input mode. It plans shots from the prompt (time codes become cuts) and gives each
 * shot a picture (see `planShotPictures`): painted in Node, an input image (a first frame, a
 * reference, a crossfade from a first to a last frame) decoded once by its own ffmpeg run, a
 * reference video as a cutaway, or its stretch of the continuous footage of a video edit or
 * extension (see `planFootage`). With audio it designs an ambience bed, speaks the prompt's quoted
 * dialogue with a local eSpeak NG voice (a separate program) and mixes reference audio in as the
 * soundtrack. Everything renders in one ffmpeg run with the camera moves, particles, captions and
 * H.264/AAC MP4 output. The same task and input files always give a byte-identical file with the
 * same ffmpeg build: every choice is seeded and the encoders run bit-exact with a fixed thread
 * count.
 */
export class AnimaticEngine implements Engine {
  readonly id = 'animatic';
  private readonly binaries: FfmpegBinaries;
  private readonly fontFile: string;
  private readonly timeoutMs: number;
  private readonly x264Preset: string;

  constructor(options: AnimaticEngineOptions) {
    this.binaries = options.binaries;
    this.fontFile = options.fontFile;
    this.timeoutMs = options.timeoutMs ?? 600_000;
    this.x264Preset = options.x264Preset ?? 'superfast';
  }

  supports(task: GenerationTask): EngineSupport {
    const mode = resolveAnimaticMode(task);
    const inputIssue = modeInputIssue(task, mode);
    if (inputIssue !== undefined) return { ok: false, reason: `animatic engine: ${inputIssue}` };
    const unprobed = task.videos.findIndex(
      (video) => video.durationSeconds === undefined || !(video.durationSeconds > 0),
    );
    if (unprobed >= 0)
      return { ok: false, reason: `animatic engine: reference video ${unprobed + 1} has no probed duration` };
    const evenSize = (side: number) =>
      Number.isInteger(side) && side >= 16 && side <= maximumSide && side % 2 === 0;
    if (!evenSize(task.width) || !evenSize(task.height)) {
      return {
        ok: false,
        reason: `output size ${task.width}×${task.height} must be even and 16–${maximumSide} pixels a side (H.264 4:2:0)`,
      };
    }
    if (!Number.isInteger(task.fps) || task.fps < 1 || task.fps > 120) {
      return { ok: false, reason: `frame rate ${task.fps} must be a whole number from 1 to 120` };
    }
    if (
      !Number.isInteger(task.frameCount) ||
      task.frameCount < 1 ||
      task.frameCount > task.fps * maximumSeconds
    ) {
      return {
        ok: false,
        reason: `frame count ${task.frameCount} must be from 1 to ${task.fps * maximumSeconds}`,
      };
    }
    return { ok: true };
  }

  async generate(task: GenerationTask, context: EngineContext): Promise<EngineResult> {
    const support = this.supports(task);
    if (!support.ok) throw new AppError('engine_failed', support.reason);
    const { signal } = context;
    if (signal.aborted) throw abortReason(signal);
    context.reportProgress(0, 'planning shots');

    const timing = { fps: task.fps, frameCount: task.frameCount };
    const geometry = planGeometry(task.width, task.height, task.fps);
    const plan = planPrompt(task.prompt, { seed: task.seed, ...timing });
    const pictures = planShotPictures(plan, task, timing, resolveAnimaticMode(task));
    const footage = planFootage(task, pictures);

    const folder = path.resolve(context.workdir, 'animatic');
    const videoPath = path.join(context.workdir, 'animatic.mp4');
    await mkdir(folder, { recursive: true });
    const prepared: PreparedShot[] = [];
    let soundtrack: ReturnType<typeof soundtrackGraph>;
    try {
      const preparation: ShotPreparationContext = {
        task,
        geometry,
        folder,
        fontFile: this.fontFile,
        ffmpeg: this.binaries.ffmpeg,
        stillTimeoutMs: Math.min(stepTimeoutMs, this.timeoutMs),
        signal,
        stills: new Map<string, Promise<RawPicture>>(),
        captionFromFrame: footage?.mode === 'video-extension' ? footage.footageFrames : 0,
      };
      for (const shot of pictures.shots) {
        if (signal.aborted) throw abortReason(signal);
        prepared.push(await prepareShot(shot, preparation));
        context.reportProgress(
          (0.08 * (shot.index + 1)) / pictures.shots.length,
          `prepared shot ${shot.index + 1}`,
        );
      }
      const footageInput = await this.footageInput(footage, preparation);
      const audio: PreparedAudio | undefined = task.generateAudio
        ? await prepareAudio({
            task,
            plan,
            folder,
            ffmpeg: this.binaries.ffmpeg,
            stepTimeoutMs: Math.min(stepTimeoutMs, this.timeoutMs),
            signal,
          })
        : undefined;
      context.reportProgress(0.1, 'prepared sound');

      const graph = buildAnimaticGraph(
        prepared.map((shot) => shot.graphInput),
        geometry,
        this.fontFile,
        footageInput,
      );
      soundtrack = audio === undefined ? undefined : soundtrackGraph(task, plan, audio, graph.inputs);
      const filterComplex =
        soundtrack === undefined ? graph.filterComplex : `${graph.filterComplex};${soundtrack.graph}`;
      const commandArguments = [
        ...['-loglevel', 'error', ...graph.inputs.arguments, '-filter_complex', filterComplex],
        ...['-map', `[${graph.videoLabel}]`],
        ...this.encoderArguments(task, pictures.shots, soundtrack !== undefined),
        videoPath,
      ];
      context.logger.debug(
        { shots: pictures.shots.length, inputMode: pictures.mode, graphBytes: filterComplex.length },
        'animatic: rendering',
      );
      await runFfmpeg(this.binaries.ffmpeg, commandArguments, {
        timeoutMs: this.timeoutMs,
        signal,
        expected: { frames: task.frameCount },
        onProgress: (progress) => {
          if (progress.fraction !== undefined)
            context.reportProgress(0.1 + 0.9 * progress.fraction, 'rendering');
        },
      });
    } finally {
      // The stills and sounds are megabytes each; only the MP4 is worth keeping until publishing.
      await rm(folder, { recursive: true, force: true });
    }
    context.reportProgress(1, 'rendered');

    return {
      videoPath,
      metadata: describeRender(task, pictures, plan.timeCoded, {
        firstFrameIsWholeImage: prepared.map((shot) => shot.firstFrameIsWholeImage),
        footage,
        audio: soundtrack === undefined ? null : soundtrack.description,
        encoder: {
          video: `libx264 ${this.x264Preset} crf 20`,
          audio: soundtrack === undefined ? null : 'aac 128k',
        },
        ffmpegSource: this.binaries.source,
      }),
    };
  }

  /** The footage of an edit or extension with the stills of the images it composites. */
  private async footageInput(
    footage: FootagePlan | undefined,
    preparation: ShotPreparationContext,
  ): Promise<FootageGraphInput | undefined> {
    if (footage === undefined) return undefined;
    const compositeStills: RawPicture[] = [];
    for (const composite of footage.layout?.composites ?? []) {
      const { width, height } = composite.rectangle;
      compositeStills.push(
        await imageStill(
          preparation,
          composite.imageIndex,
          width - 2 * composite.border,
          height - 2 * composite.border,
          undefined,
        ),
      );
    }
    return { plan: footage, compositeStills, frameCount: preparation.task.frameCount };
  }

  /**
   * Output options. Bit-exact flags, no metadata and a fixed x264 thread count make the file a
   * pure function of the task; keyframes sit on every cut so editors can trim on them. A silent
   * clip ends on `-frames:v`; with audio the graph itself ends both streams on the exact frame
   * and sample, because `-frames:v` would close the file before the last audio packets.
   */
  private encoderArguments(
    task: GenerationTask,
    shots: readonly AnimaticShot[],
    withAudio: boolean,
  ): string[] {
    const keyframeTimes = shots.map((shot) => (shot.startFrame / task.fps).toFixed(6)).join(',');
    return [
      ...(withAudio
        ? ['-map', '[audio]', '-c:a', 'aac', '-b:a', '128k', '-ar', String(ambienceSampleRate), '-ac', '2']
        : ['-frames:v', String(task.frameCount)]),
      ...['-c:v', 'libx264', '-preset', this.x264Preset, '-crf', '20', '-pix_fmt', 'yuv420p'],
      ...['-threads', encoderThreads, '-r', String(task.fps), '-g', String(task.fps * 2)],
      ...['-force_key_frames', keyframeTimes],
      ...['-fflags', '+bitexact', '-flags:v', '+bitexact', '-flags:a', '+bitexact'],
      ...['-map_metadata', '-1', '-map_chapters', '-1', '-movflags', '+faststart', '-f', 'mp4', '-y'],
    ];
  }
}
