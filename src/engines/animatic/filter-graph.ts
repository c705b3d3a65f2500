import { escapeFilterValue } from '../../media/filter-escape.ts';
import type { CameraPath, Geometry } from './camera-path.ts';
import type { CaptionLayout } from './caption-layout.ts';
import { formatNumber, quoteExpression } from './ffmpeg-expression.ts';

/** A raw picture file on disk and its geometry, as ffmpeg's rawvideo demuxer needs it. */
export interface RawPicture {
  readonly path: string;
  readonly width: number;
  readonly height: number;
  readonly pixelFormat: 'rgb24' | 'rgba';
}

/** Everything needed to draw one shot, with its pictures already written to disk. */
export interface ShotGraphInput {
  readonly frameCount: number;
  readonly background: RawPicture;
  /** The size the background is scaled to before the camera moves over it. */
  readonly stillWidth: number;
  readonly stillHeight: number;
  /**
   * A picture faded in over the background (first + last frame): fully transparent on frame 0 of
   * the clip, opaque on its last frame; this shot shows frames `startFrame`… of that fade.
   */
  readonly fadeTo:
    { readonly picture: RawPicture; readonly startFrame: number; readonly totalFrames: number } | undefined;
  readonly foreground: { readonly picture: RawPicture } | undefined;
  readonly camera: CameraPath;
  readonly particles: readonly {
    readonly sprite: RawPicture;
    readonly instances: readonly {
      readonly x: string;
      readonly y: string;
      readonly enable: string | undefined;
    }[];
  }[];
  readonly caption: { readonly layout: CaptionLayout; readonly lineFiles: readonly string[] } | undefined;
}

/** The ffmpeg inputs and filtergraph that draw every shot of an animatic. */
export interface AnimaticGraph {
  /** ffmpeg input options, in order: every raw picture of every shot. */
  readonly inputArguments: readonly string[];
  readonly filterComplex: string;
  /** Label of the finished video stream in `filterComplex`. */
  readonly videoLabel: string;
}

/**
 * Builds the single ffmpeg filtergraph of an animatic: per shot, the painted still is scaled to
 * the canvas once, then either zoompan'd (push-in, pull-out) or looped and cropped along the move
 * (pans, tracking, orbit, static), the near layer and the particles are overlaid with moving
 * coordinates, and the caption is drawn; the shots are then joined with hard cuts by `concat`.
 * A crossfade (first + last frame) is the second picture with its alpha faded in by `fade` and
 * overlaid on the first. Only filters and options that exist in both the 2018 static ffmpeg and
 * ffmpeg 5.1 are used (no xfade, no gradients source, no scale `eval=frame` with `n`/`t`).
 */
export function buildAnimaticGraph(
  shots: readonly ShotGraphInput[],
  geometry: Geometry,
  fontFile: string,
): AnimaticGraph {
  const inputArguments: string[] = [];
  let inputCount = 0;
  const addInput = (picture: RawPicture): number => {
    inputArguments.push(
      ...[
        '-f',
        'rawvideo',
        '-pixel_format',
        picture.pixelFormat,
        '-video_size',
        `${picture.width}x${picture.height}`,
      ],
      ...['-framerate', String(geometry.fps), '-i', picture.path],
    );
    inputCount += 1;
    return inputCount - 1;
  };

  const chains: string[] = [];
  const shotLabels = shots.map((shot, index) => {
    const prefix = `s${index}`;
    const background = addInput(shot.background);
    const fadeTo = shot.fadeTo === undefined ? undefined : addInput(shot.fadeTo.picture);
    const foreground = shot.foreground === undefined ? undefined : addInput(shot.foreground.picture);
    const sprites = shot.particles.map((layer) => addInput(layer.sprite));
    chains.push(...shotChains(shot, geometry, fontFile, { prefix, background, fadeTo, foreground, sprites }));
    return `[${prefix}]`;
  });

  const join =
    shotLabels.length === 1
      ? `${shotLabels[0] ?? ''}null`
      : `${shotLabels.join('')}concat=n=${shotLabels.length}:v=1:a=0`;
  chains.push(`${join},settb=1/${geometry.fps},setpts=N,format=yuv420p[video]`);
  return { inputArguments, filterComplex: chains.join(';'), videoLabel: 'video' };
}

interface InputIndexes {
  readonly prefix: string;
  readonly background: number;
  readonly fadeTo: number | undefined;
  readonly foreground: number | undefined;
  readonly sprites: readonly number[];
}

function shotChains(
  shot: ShotGraphInput,
  geometry: Geometry,
  fontFile: string,
  inputs: InputIndexes,
): string[] {
  const { prefix } = inputs;
  const { width, height, fps } = geometry;
  const chains: string[] = [];
  const loopFor = (frames: number) => `loop=loop=${frames - 1}:size=1:start=0,settb=1/${fps},setpts=N`;
  const loop = loopFor(shot.frameCount);
  const still = `[${inputs.background}:v]scale=${shot.stillWidth}:${shot.stillHeight}:flags=bicubic,format=yuv420p`;
  const camera = shot.camera;
  switch (camera.kind) {
    case 'zoom':
      chains.push(
        `${still},zoompan=z=${quoteExpression(camera.zoom)}:x=${quoteExpression(camera.x)}:y=${quoteExpression(camera.y)}` +
          `:d=${shot.frameCount}:s=${width}x${height}:fps=${fps},setpts=N[${prefix}_base]`,
      );
      break;
    case 'fixed':
      chains.push(`${still},crop=${width}:${height}:${camera.cropX}:${camera.cropY},${loop}[${prefix}_base]`);
      break;
    case 'slide':
      chains.push(
        `${still},${loop},crop=${width}:${height}:${quoteExpression(camera.cropX)}:${quoteExpression(camera.cropY)}[${prefix}_base]`,
      );
      break;
  }
  let current = `${prefix}_base`;
  if (shot.fadeTo !== undefined && inputs.fadeTo !== undefined) {
    // `fade` counts frames from the first it sees, so the faded stream starts at the clip's frame
    // 0 and this shot's stretch is trimmed out of it; alpha steps k/(n−1): exactly 0 on the first
    // frame of the clip and exactly 1 on its last.
    const { startFrame, totalFrames } = shot.fadeTo;
    chains.push(
      `[${inputs.fadeTo}:v]scale=${width}:${height}:flags=bicubic,format=yuva420p,${loopFor(startFrame + shot.frameCount)},` +
        `fade=t=in:s=0:n=${Math.max(1, totalFrames - 1)}:alpha=1,trim=start_frame=${startFrame},setpts=N[${prefix}_next]`,
      `[${current}][${prefix}_next]overlay=format=yuv420[${prefix}_mixed]`,
    );
    current = `${prefix}_mixed`;
  }
  if (
    camera.kind === 'slide' &&
    camera.foreground !== undefined &&
    inputs.foreground !== undefined &&
    shot.foreground
  ) {
    const picture = shot.foreground.picture;
    chains.push(
      `[${inputs.foreground}:v]scale=${picture.width * geometry.paintScale}:${picture.height * geometry.paintScale}:flags=bicubic,format=yuva420p[${prefix}_near]`,
      `[${current}][${prefix}_near]overlay=x=${quoteExpression(camera.foreground.x)}:y=${quoteExpression(camera.foreground.y)}[${prefix}_layered]`,
    );
    current = `${prefix}_layered`;
  }

  shot.particles.forEach((layer, layerIndex) => {
    const sprite = inputs.sprites[layerIndex];
    if (sprite === undefined || layer.instances.length === 0) return;
    const copies = layer.instances.map((_, index) => `[${prefix}_p${layerIndex}_${index}]`);
    chains.push(`[${sprite}:v]format=yuva420p,split=${copies.length}${copies.join('')}`);
    layer.instances.forEach((instance, index) => {
      const next = `${prefix}_p${layerIndex}_${index}_out`;
      const enable = instance.enable === undefined ? '' : `:enable=${quoteExpression(instance.enable)}`;
      chains.push(
        `[${current}]${copies[index] ?? ''}overlay=x=${quoteExpression(instance.x)}:y=${quoteExpression(instance.y)}${enable}[${next}]`,
      );
      current = next;
    });
  });

  const captionFilters = shot.caption === undefined ? [] : captionChain(shot.caption, fontFile);
  chains.push(`[${current}]${[...captionFilters, 'setsar=1'].join(',')}[${prefix}]`);
  return chains;
}

function captionChain(caption: NonNullable<ShotGraphInput['caption']>, fontFile: string): string[] {
  const { layout, lineFiles } = caption;
  const { box, fontSize } = layout;
  const shadow = Math.max(1, Math.round(fontSize / 16));
  const filters = [`drawbox=x=${box.x}:y=${box.y}:w=${box.width}:h=${box.height}:color=black@0.45:t=fill`];
  layout.baselines.forEach((baseline, index) => {
    const file = lineFiles[index];
    if (file === undefined) return;
    filters.push(
      `drawtext=fontfile=${escapeFilterValue(fontFile)}:textfile=${escapeFilterValue(file)}:expansion=none` +
        `:fontsize=${fontSize}:fontcolor=white:shadowcolor=black@0.6:shadowx=${shadow}:shadowy=${shadow}` +
        `:x=(w-text_w)/2:y=${formatNumber(baseline)}-max_glyph_a`,
    );
  });
  return filters;
}
