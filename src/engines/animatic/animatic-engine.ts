import { mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import type { Engine, EngineContext, EngineResult, EngineSupport, GenerationTask } from '../engine.ts';
import { AppError } from '../../domain/app-error.ts';
import type { FfmpegBinaries } from '../../media/ffmpeg-binaries.ts';
import { abortReason, runFfmpeg } from '../../media/run-ffmpeg.ts';
import { ambienceSampleRate, designAmbience } from './ambience.ts';
import { describeRender } from './animatic-metadata.ts';
import { planGeometry } from './camera-path.ts';
import { buildAnimaticGraph, type RawPicture } from './filter-graph.ts';
import { imageInputIssue, planShotPictures, type AnimaticShot } from './image-plan.ts';
import { palettes } from './palettes.ts';
import { planPrompt } from './prompt-plan.ts';
import { createSeededRandom } from './seeded-random.ts';
import { prepareShot, type PreparedShot } from './shot-preparation.ts';

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
/** Decoding one input image into a still takes well under a second; a minute means a hostile file. */
const stillTimeoutMs = 60_000;

/**
 * The built-in "animatic" engine (DESIGN.md §7): previz on the CPU with ffmpeg. It plans shots
 * from the prompt (time codes become cuts), gives each shot a still — painted in Node, or an input
 * image (a first frame, a reference image, or a crossfade from a first to a last frame; see
 * `planShotPictures`) decoded once by its own ffmpeg run — and renders them in one ffmpeg run with
 * the camera move, drifting particles, captions, an optional synthesised ambience bed and
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
    if (task.mode !== 'text-to-video') {
      return { ok: false, reason: `the animatic engine renders text-to-video only, not ${task.mode}` };
    }
    if (task.videos.length + task.audios.length > 0) {
      return { ok: false, reason: 'reference videos and audio are not supported by the animatic engine yet' };
    }
    const imageIssue = imageInputIssue(task.images);
    if (imageIssue !== undefined) return { ok: false, reason: `animatic engine: ${imageIssue}` };
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

    const geometry = planGeometry(task.width, task.height, task.fps);
    const plan = planPrompt(task.prompt, { seed: task.seed, fps: task.fps, frameCount: task.frameCount });
    const pictures = planShotPictures(plan, task.images, { fps: task.fps, frameCount: task.frameCount });
    const firstShot = pictures.shots[0];
    // One bed for the whole clip, from the opening shot: cuts in the picture, continuity in sound.
    const ambience =
      task.generateAudio && firstShot !== undefined
        ? designAmbience(
            {
              setting: firstShot.setting,
              palette: palettes[firstShot.palette],
              weather: firstShot.weather,
              random: createSeededRandom('animatic-audio', task.seed),
              durationSeconds: task.frameCount / task.fps,
              sampleCount: Math.round((task.frameCount / task.fps) * ambienceSampleRate),
            },
            'audio',
          )
        : undefined;

    const folder = path.resolve(context.workdir, 'animatic');
    const videoPath = path.join(context.workdir, 'animatic.mp4');
    await mkdir(folder, { recursive: true });
    const prepared: PreparedShot[] = [];
    try {
      const preparation = {
        task,
        geometry,
        folder,
        fontFile: this.fontFile,
        ffmpeg: this.binaries.ffmpeg,
        stillTimeoutMs: Math.min(stillTimeoutMs, this.timeoutMs),
        signal,
        stills: new Map<string, Promise<RawPicture>>(),
      };
      for (const shot of pictures.shots) {
        if (signal.aborted) throw abortReason(signal);
        prepared.push(await prepareShot(shot, preparation));
        context.reportProgress(
          (0.1 * (shot.index + 1)) / pictures.shots.length,
          `prepared shot ${shot.index + 1}`,
        );
      }
      const graph = buildAnimaticGraph(
        prepared.map((shot) => shot.graphInput),
        geometry,
        this.fontFile,
      );
      const filterComplex =
        ambience === undefined ? graph.filterComplex : `${graph.filterComplex};${ambience.graph}`;
      const commandArguments = [
        ...['-loglevel', 'error', ...graph.inputArguments, '-filter_complex', filterComplex],
        ...['-map', `[${graph.videoLabel}]`],
        ...this.encoderArguments(task, pictures.shots, ambience !== undefined),
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
      // The stills are megabytes each; only the MP4 is worth keeping until publishing.
      await rm(folder, { recursive: true, force: true });
    }
    context.reportProgress(1, 'rendered');

    return {
      videoPath,
      metadata: describeRender(task, pictures, plan.timeCoded, {
        firstFrameIsWholeImage: prepared.map((shot) => shot.firstFrameIsWholeImage),
        audio: ambience === undefined ? null : { kind: 'synthesised ambience', ...ambience.description },
        encoder: {
          video: `libx264 ${this.x264Preset} crf 20`,
          audio: ambience === undefined ? null : 'aac 128k',
        },
        ffmpegSource: this.binaries.source,
      }),
    };
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
