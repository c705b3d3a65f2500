import { mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Engine, EngineContext, EngineResult, EngineSupport, GenerationTask } from '../engine.ts';
import { AppError } from '../../domain/app-error.ts';
import type { FfmpegBinaries } from '../../media/ffmpeg-binaries.ts';
import { loadFontMetrics } from '../../media/font-metrics.ts';
import { abortReason, runFfmpeg } from '../../media/run-ffmpeg.ts';
import { ambienceSampleRate, designAmbience } from './ambience.ts';
import { foregroundPaintWidth, planCameraPath, planGeometry, type Geometry } from './camera-path.ts';
import { layoutCaption } from './caption-layout.ts';
import { buildAnimaticGraph, type RawPicture, type ShotGraphInput } from './filter-graph.ts';
import { palettes } from './palettes.ts';
import { designParticles, particleKindFor } from './particles.ts';
import { planPrompt, type PromptPlan, type ShotPlan } from './prompt-plan.ts';
import { rasterBytes, type Raster } from './raster.ts';
import { paintShot } from './scene-painter.ts';
import { createSeededRandom } from './seeded-random.ts';

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

const honestNote =
  'Animatic is a CPU previsualisation renderer built on ffmpeg, not a neural video model: it paints ' +
  'a palette, a camera move, cuts and captions from the words of the prompt.';

/**
 * The built-in "animatic" engine (DESIGN.md §7): text-to-video previz on the CPU with ffmpeg. It
 * plans shots from the prompt (time codes become cuts), paints one still per shot in Node, and
 * renders them in one ffmpeg run with the camera move, drifting particles, captions, an optional
 * synthesised ambience bed and H.264/AAC MP4 output. The same task always gives a byte-identical
 * file with the same ffmpeg build: every choice is seeded and the encoders run bit-exact with a
 * fixed thread count.
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
    if (task.images.length + task.videos.length + task.audios.length > 0) {
      return { ok: false, reason: 'the animatic engine does not take reference images, videos or audio yet' };
    }
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
    const firstShot = plan.shots[0];
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
    try {
      const shots: ShotGraphInput[] = [];
      for (const shot of plan.shots) {
        if (signal.aborted) throw abortReason(signal);
        shots.push(await this.prepareShot(task, shot, geometry, folder));
        context.reportProgress(
          (0.1 * (shot.index + 1)) / plan.shots.length,
          `painted shot ${shot.index + 1}`,
        );
      }
      const graph = buildAnimaticGraph(shots, geometry, this.fontFile);
      const filterComplex =
        ambience === undefined ? graph.filterComplex : `${graph.filterComplex};${ambience.graph}`;
      const commandArguments = [
        ...['-loglevel', 'error', ...graph.inputArguments, '-filter_complex', filterComplex],
        ...['-map', `[${graph.videoLabel}]`],
        ...this.encoderArguments(task, plan, ambience !== undefined),
        videoPath,
      ];
      context.logger.debug(
        { shots: plan.shots.length, graphBytes: filterComplex.length },
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
      // The painted stills are megabytes each; only the MP4 is worth keeping until publishing.
      await rm(folder, { recursive: true, force: true });
    }
    context.reportProgress(1, 'rendered');

    return {
      videoPath,
      metadata: {
        engine: 'animatic',
        kind: 'previz',
        note: honestNote,
        width: task.width,
        height: task.height,
        fps: task.fps,
        frameCount: task.frameCount,
        durationSeconds: task.frameCount / task.fps,
        seed: task.seed,
        palette: firstShot?.palette,
        cameraMove: firstShot?.cameraMove,
        timeCoded: plan.timeCoded,
        shots: plan.shots.map((shot) => ({
          index: shot.index,
          startSeconds: shot.startFrame / task.fps,
          endSeconds: (shot.startFrame + shot.frameCount) / task.fps,
          startFrame: shot.startFrame,
          frameCount: shot.frameCount,
          caption: shot.caption,
          palette: shot.palette,
          light: palettes[shot.palette].light,
          setting: shot.setting,
          weather: shot.weather,
          particles: particleKindFor(palettes[shot.palette], shot.weather),
          cameraMove: shot.cameraMove,
          choices: shot.choices,
        })),
        audio: ambience === undefined ? null : { kind: 'synthesised ambience', ...ambience.description },
        encoder: {
          video: `libx264 ${this.x264Preset} crf 20`,
          audio: ambience === undefined ? null : 'aac 128k',
        },
        ffmpegSource: this.binaries.source,
      },
    };
  }

  /**
   * Output options. Bit-exact flags, no metadata and a fixed x264 thread count make the file a
   * pure function of the task; keyframes sit on every cut so editors can trim on them. A silent
   * clip ends on `-frames:v`; with audio the graph itself ends both streams on the exact frame
   * and sample, because `-frames:v` would close the file before the last audio packets.
   */
  private encoderArguments(task: GenerationTask, plan: PromptPlan, withAudio: boolean): string[] {
    const keyframeTimes = plan.shots.map((shot) => (shot.startFrame / task.fps).toFixed(6)).join(',');
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

  private async prepareShot(
    task: GenerationTask,
    shot: ShotPlan,
    geometry: Geometry,
    folder: string,
  ): Promise<ShotGraphInput> {
    const random = createSeededRandom('animatic-shot', task.seed, shot.index);
    const palette = palettes[shot.palette];
    const foregroundWidth = foregroundPaintWidth(shot.cameraMove, geometry);
    const painted = paintShot({
      palette,
      setting: shot.setting,
      random: random.fork('paint'),
      width: geometry.paintWidth,
      height: geometry.paintHeight,
      foregroundWidth,
    });
    const camera = planCameraPath({
      move: shot.cameraMove,
      geometry,
      frameCount: shot.frameCount,
      focus: painted.focus,
      foregroundTop: painted.foreground?.top,
      random: random.fork('camera'),
    });
    const particles = designParticles({
      palette,
      weather: shot.weather,
      width: geometry.width,
      height: geometry.height,
      random: random.fork('particles'),
      cameraShift: camera.kind === 'slide' ? camera.particleShift : undefined,
    });

    const name = (suffix: string) => path.join(folder, `shot-${shot.index}-${suffix}`);
    const write = async (raster: Raster, suffix: string): Promise<RawPicture> => {
      const file = name(suffix);
      await writeFile(file, rasterBytes(raster));
      return {
        path: file,
        width: raster.width,
        height: raster.height,
        pixelFormat: raster.channels === 3 ? 'rgb24' : 'rgba',
      };
    };
    const background = await write(painted.background, 'background.rgb');
    const foreground =
      painted.foreground === undefined
        ? undefined
        : { picture: await write(painted.foreground.raster, 'foreground.rgba') };
    const particleInputs = await Promise.all(
      particles.map(async (layer, index) => ({
        sprite: await write(layer.sprite, `particles-${index}.rgba`),
        instances: layer.instances,
      })),
    );

    const layout = layoutCaption(shot.caption, {
      width: geometry.width,
      height: geometry.height,
      metrics: loadFontMetrics(this.fontFile),
    });
    const lineFiles =
      layout === undefined
        ? []
        : await Promise.all(
            layout.lines.map(async (line, index) => {
              const file = name(`caption-${index}.txt`);
              await writeFile(file, line, 'utf8');
              return file;
            }),
          );

    return {
      frameCount: shot.frameCount,
      background,
      foreground,
      camera,
      particles: particleInputs,
      caption: layout === undefined ? undefined : { layout, lineFiles },
    };
  }
}
