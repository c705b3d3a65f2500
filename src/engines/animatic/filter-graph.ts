import { escapeFilterValue } from '../../media/filter-escape.ts';
import type { CameraPath, Geometry } from './camera-path.ts';
import type { CaptionLayout } from './caption-layout.ts';
import { formatNumber, quoteExpression } from './ffmpeg-expression.ts';
import { clipShotChain, footageChains } from './footage-graph.ts';
import type { FootagePlan } from './footage-plan.ts';
import { GraphInputs } from './graph-inputs.ts';

/** A raw picture file on disk and its geometry, as ffmpeg's rawvideo demuxer needs it. */
export interface RawPicture {
  readonly path: string;
  readonly width: number;
  readonly height: number;
  readonly pixelFormat: 'rgb24' | 'rgba';
}

/** What a still shot is drawn from: a picture the camera moves over. */
export interface StillBase {
  readonly kind: 'still';
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
}

/**
 * The moving picture under a shot: a still with a camera move, a reference video played as a
 * cutaway (`clip`), or the shot's stretch of the continuous footage of an
 * edit or extension (`footage`, from the clip's frame `startFrame`).
 */
export type ShotBase =
  | StillBase
  | { readonly kind: 'clip'; readonly videoPath: string }
  | { readonly kind: 'footage'; readonly startFrame: number };

/** Everything needed to draw one shot, with its pictures already written to disk. */
export interface ShotGraphInput {
  readonly frameCount: number;
  readonly base: ShotBase;
  readonly particles: readonly {
    readonly sprite: RawPicture;
    readonly instances: readonly {
      readonly x: string;
      readonly y: string;
      readonly enable: string | undefined;
    }[];
  }[];
  /** The caption; shown from the shot's frame `fromFrame` (0: throughout). */
  readonly caption:
    | { readonly layout: CaptionLayout; readonly lineFiles: readonly string[]; readonly fromFrame: number }
    | undefined;
}

/** The continuous footage of an edit or extension, for the shots whose base is `footage`. */
export interface FootageGraphInput {
  readonly plan: FootagePlan;
  /** One raw still per composite of the plan's layout, at its rectangle's size less the border. */
  readonly compositeStills: readonly RawPicture[];
  readonly frameCount: number;
}

/** The ffmpeg inputs and filtergraph that draw every shot of an animatic. */
export interface AnimaticGraph {
  /** The inputs so far (every picture, clip and footage source); the soundtrack adds its own. */
  readonly inputs: GraphInputs;
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
  footage?: FootageGraphInput,
): AnimaticGraph {
  const inputs = new GraphInputs();
  const chains: string[] = [];
  const footageBranches: string[] = [];
  const footageShots = shots.filter((shot) => shot.base.kind === 'footage').length;
  if (footage !== undefined && footageShots > 0) {
    const footageInputs = {
      clips: footage.plan.clips.map((clip) => inputs.addClientVideo(clip.path)),
      composites: footage.compositeStills.map((still) => inputs.addPicture(still, geometry.fps)),
    };
    chains.push(...footageChains(footage.plan, geometry, footageInputs, footage.frameCount, 'footage'));
    // Each shot trims its stretch out of its own copy; the copies are consumed one shot after another.
    for (let index = 0; index < footageShots; index += 1) footageBranches.push(`footage_${index}`);
    chains.push(
      footageShots === 1
        ? '[footage]null[footage_0]'
        : `[footage]split=${footageShots}${footageBranches.map((branch) => `[${branch}]`).join('')}`,
    );
  }

  const shotLabels = shots.map((shot, index) => {
    const prefix = `s${index}`;
    const base = shot.base;
    let baseInputs: BaseInputs;
    if (base.kind === 'still') {
      baseInputs = {
        kind: 'still',
        background: inputs.addPicture(base.background, geometry.fps),
        fadeTo: base.fadeTo === undefined ? undefined : inputs.addPicture(base.fadeTo.picture, geometry.fps),
        foreground:
          base.foreground === undefined
            ? undefined
            : inputs.addPicture(base.foreground.picture, geometry.fps),
      };
    } else if (base.kind === 'clip') {
      baseInputs = { kind: 'clip', video: inputs.addClientVideo(base.videoPath) };
    } else {
      const branch = footageBranches.shift();
      if (branch === undefined) throw new RangeError('a footage shot needs a footage plan');
      baseInputs = { kind: 'footage', branch };
    }
    const sprites = shot.particles.map((layer) => inputs.addPicture(layer.sprite, geometry.fps));
    chains.push(...shotChains(shot, geometry, fontFile, { prefix, base: baseInputs, sprites }));
    return `[${prefix}]`;
  });

  const join =
    shotLabels.length === 1
      ? `${shotLabels[0] ?? ''}null`
      : `${shotLabels.join('')}concat=n=${shotLabels.length}:v=1:a=0`;
  chains.push(`${join},settb=1/${geometry.fps},setpts=N,format=yuv420p[video]`);
  return { inputs, filterComplex: chains.join(';'), videoLabel: 'video' };
}

/** The ffmpeg inputs one shot's base reads. */
type BaseInputs =
  | {
      readonly kind: 'still';
      readonly background: number;
      readonly fadeTo: number | undefined;
      readonly foreground: number | undefined;
    }
  | { readonly kind: 'clip'; readonly video: number }
  | { readonly kind: 'footage'; readonly branch: string };

interface InputIndexes {
  readonly prefix: string;
  readonly base: BaseInputs;
  readonly sprites: readonly number[];
}

function shotChains(
  shot: ShotGraphInput,
  geometry: Geometry,
  fontFile: string,
  inputs: InputIndexes,
): string[] {
  const { prefix } = inputs;
  const chains: string[] = [];
  const base = shot.base;
  let current = `${prefix}_base`;
  if (base.kind === 'still' && inputs.base.kind === 'still') {
    current = stillChains(shot.frameCount, base, inputs.base, geometry, prefix, chains);
  } else if (inputs.base.kind === 'clip') {
    chains.push(clipShotChain(inputs.base.video, shot.frameCount, geometry, current));
  } else if (base.kind === 'footage' && inputs.base.kind === 'footage') {
    chains.push(
      `[${inputs.base.branch}]trim=start_frame=${base.startFrame}:end_frame=${base.startFrame + shot.frameCount},` +
        `settb=1/${geometry.fps},setpts=N[${current}]`,
    );
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

/** The chains of a still shot's moving picture; returns the label of its last stream. */
function stillChains(
  frameCount: number,
  shot: StillBase,
  inputs: Extract<BaseInputs, { kind: 'still' }>,
  geometry: Geometry,
  prefix: string,
  chains: string[],
): string {
  const { width, height, fps } = geometry;
  const loopFor = (frames: number) => `loop=loop=${frames - 1}:size=1:start=0,settb=1/${fps},setpts=N`;
  const loop = loopFor(frameCount);
  const still = `[${inputs.background}:v]scale=${shot.stillWidth}:${shot.stillHeight}:flags=bicubic,format=yuv420p`;
  const camera = shot.camera;
  switch (camera.kind) {
    case 'zoom':
      chains.push(
        `${still},zoompan=z=${quoteExpression(camera.zoom)}:x=${quoteExpression(camera.x)}:y=${quoteExpression(camera.y)}` +
          `:d=${frameCount}:s=${width}x${height}:fps=${fps},setpts=N[${prefix}_base]`,
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
      `[${inputs.fadeTo}:v]scale=${width}:${height}:flags=bicubic,format=yuva420p,${loopFor(startFrame + frameCount)},` +
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
  return current;
}

function captionChain(caption: NonNullable<ShotGraphInput['caption']>, fontFile: string): string[] {
  const { layout, lineFiles } = caption;
  const { box, fontSize } = layout;
  const shadow = Math.max(1, Math.round(fontSize / 16));
  // An extension captions only what it invents: from the frame where the reference footage ends.
  const enable = caption.fromFrame > 0 ? `:enable=${quoteExpression(`gte(n,${caption.fromFrame})`)}` : '';
  const filters = [
    `drawbox=x=${box.x}:y=${box.y}:w=${box.width}:h=${box.height}:color=black@0.45:t=fill${enable}`,
  ];
  layout.baselines.forEach((baseline, index) => {
    const file = lineFiles[index];
    if (file === undefined) return;
    filters.push(
      `drawtext=fontfile=${escapeFilterValue(fontFile)}:textfile=${escapeFilterValue(file)}:expansion=none` +
        `:fontsize=${fontSize}:fontcolor=white:shadowcolor=black@0.6:shadowx=${shadow}:shadowy=${shadow}` +
        `:x=(w-text_w)/2:y=${formatNumber(baseline)}-max_glyph_a${enable}`,
    );
  });
  return filters;
}
