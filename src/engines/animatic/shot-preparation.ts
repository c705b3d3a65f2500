import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { GenerationTask } from '../engine.ts';
import { loadFontMetrics } from '../../media/font-metrics.ts';
import { foregroundPaintWidth, planCameraPath, type CameraPath, type Geometry } from './camera-path.ts';
import { layoutCaption } from './caption-layout.ts';
import type { RawPicture, ShotBase, ShotGraphInput } from './filter-graph.ts';
import { planImageFraming, type PixelRectangle } from './image-framing.ts';
import type { AnimaticShot } from './picture-plan.ts';
import { prepareImageStill } from './image-still.ts';
import { palettes } from './palettes.ts';
import { designParticles } from './particles.ts';
import { rasterBytes, type Raster } from './raster.ts';
import { paintShot } from './scene-painter.ts';
import { createSeededRandom, type SeededRandom } from './seeded-random.ts';

/** What every shot of one render is prepared with. */
export interface ShotPreparationContext {
  readonly task: GenerationTask;
  readonly geometry: Geometry;
  /** Scratch folder for stills, sprites and caption files; removed after the render. */
  readonly folder: string;
  readonly fontFile: string;
  readonly ffmpeg: string;
  /** Wall-clock limit of one image-decoding ffmpeg run. */
  readonly stillTimeoutMs: number;
  readonly signal: AbortSignal;
  /** Stills made from input images so far, by image and size: a reused image is decoded once. */
  readonly stills: Map<string, Promise<RawPicture>>;
  /**
   * Where the reference footage of an extension ends, in clip frames: captions start there, so
   * the reference itself stays clean. 0 for every other mode.
   */
  readonly captionFromFrame: number;
}

/** A shot ready for the filtergraph, and how its input image was framed. */
export interface PreparedShot {
  readonly graphInput: ShotGraphInput;
  /**
   * For a shot showing an input image: whether its frame 0 is the whole cover-fitted image
   * (false only for a pan over an image too narrow to pan across; see `planImageFraming`).
   */
  readonly firstFrameIsWholeImage: boolean | undefined;
}

/**
 * Prepares one shot: the still the camera moves over (painted in Node, or decoded from an input
 * image), the camera path, the particles and the caption files. Every random choice comes from
 * the shot's own seeded stream, so shots do not shift each other.
 */
export async function prepareShot(
  shot: AnimaticShot,
  context: ShotPreparationContext,
): Promise<PreparedShot> {
  const { task, geometry } = context;
  const random = createSeededRandom('animatic-shot', task.seed, shot.index);
  const name = (suffix: string) => path.join(context.folder, `shot-${shot.index}-${suffix}`);
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

  const scene = await prepareScene(shot, context, random, write);
  // The footage of an edit or extension is the client's picture: nothing is drawn over it but
  // the caption (and the edit's images).
  const particles =
    shot.picture.kind === 'footage'
      ? []
      : designParticles({
          palette: palettes[shot.palette],
          weather: shot.weather,
          width: geometry.width,
          height: geometry.height,
          random: random.fork('particles'),
          cameraShift:
            scene.base.kind === 'still' && scene.base.camera.kind === 'slide'
              ? scene.base.camera.particleShift
              : undefined,
        });
  const particleInputs = await Promise.all(
    particles.map(async (layer, index) => ({
      sprite: await write(layer.sprite, `particles-${index}.rgba`),
      instances: layer.instances,
    })),
  );

  const captionFrom = Math.max(0, context.captionFromFrame - shot.startFrame);
  const layout =
    captionFrom >= shot.frameCount
      ? undefined
      : layoutCaption(shot.caption, {
          width: geometry.width,
          height: geometry.height,
          metrics: loadFontMetrics(context.fontFile),
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
    graphInput: {
      frameCount: shot.frameCount,
      base: scene.base,
      particles: particleInputs,
      caption: layout === undefined ? undefined : { layout, lineFiles, fromFrame: captionFrom },
    },
    firstFrameIsWholeImage: scene.firstFrameIsWholeImage,
  };
}

interface Scene {
  readonly base: ShotBase;
  readonly firstFrameIsWholeImage: boolean | undefined;
}

async function prepareScene(
  shot: AnimaticShot,
  context: ShotPreparationContext,
  random: SeededRandom,
  write: (raster: Raster, suffix: string) => Promise<RawPicture>,
): Promise<Scene> {
  const { task, geometry } = context;
  const picture = shot.picture;
  if (picture.kind === 'footage') {
    return { base: { kind: 'footage', startFrame: shot.startFrame }, firstFrameIsWholeImage: undefined };
  }
  if (picture.kind === 'video') {
    const video = task.videos[picture.video.index];
    if (video === undefined) throw new RangeError(`no input video ${picture.video.index}`);
    return { base: { kind: 'clip', videoPath: video.path }, firstFrameIsWholeImage: undefined };
  }
  if (picture.kind === 'transition') {
    // One after the other: if the first image fails, no second ffmpeg is left running.
    const background = await imageStill(
      context,
      picture.from.index,
      geometry.width,
      geometry.height,
      undefined,
    );
    const last = await imageStill(context, picture.to.index, geometry.width, geometry.height, undefined);
    const camera: CameraPath = { kind: 'fixed', cropX: 0, cropY: 0 };
    return {
      base: {
        kind: 'still',
        background,
        stillWidth: geometry.width,
        stillHeight: geometry.height,
        fadeTo: { picture: last, startFrame: shot.startFrame, totalFrames: task.frameCount },
        foreground: undefined,
        camera,
      },
      firstFrameIsWholeImage: true,
    };
  }

  if (picture.kind === 'image') {
    const image = task.images[picture.image.index];
    const framing = planImageFraming({
      move: shot.cameraMove,
      width: geometry.width,
      height: geometry.height,
      fps: geometry.fps,
      frameCount: shot.frameCount,
      imageWidth: image?.width,
      imageHeight: image?.height,
      random: random.fork('camera'),
    });
    const background = await imageStill(
      context,
      picture.image.index,
      framing.stillWidth,
      framing.stillHeight,
      framing.inset,
    );
    return {
      base: {
        kind: 'still',
        background,
        stillWidth: framing.stillWidth,
        stillHeight: framing.stillHeight,
        fadeTo: undefined,
        foreground: undefined,
        camera: framing.camera,
      },
      firstFrameIsWholeImage: framing.firstFrameIsWholeImage,
    };
  }

  const painted = paintShot({
    palette: palettes[shot.palette],
    setting: shot.setting,
    random: random.fork('paint'),
    width: geometry.paintWidth,
    height: geometry.paintHeight,
    foregroundWidth: foregroundPaintWidth(shot.cameraMove, geometry),
  });
  const camera = planCameraPath({
    move: shot.cameraMove,
    geometry,
    frameCount: shot.frameCount,
    focus: painted.focus,
    foregroundTop: painted.foreground?.top,
    random: random.fork('camera'),
  });
  return {
    base: {
      kind: 'still',
      background: await write(painted.background, 'background.rgb'),
      stillWidth: geometry.canvasWidth,
      stillHeight: geometry.canvasHeight,
      fadeTo: undefined,
      foreground:
        painted.foreground === undefined
          ? undefined
          : { picture: await write(painted.foreground.raster, 'foreground.rgba') },
      camera,
    },
    firstFrameIsWholeImage: undefined,
  };
}

/** The raw still of one input image at one size, decoded once however many shots show it. */
export function imageStill(
  context: ShotPreparationContext,
  index: number,
  width: number,
  height: number,
  inset: PixelRectangle | undefined,
): Promise<RawPicture> {
  const key = `image-${index}-${width}x${height}${inset === undefined ? '' : '-surround'}`;
  const known = context.stills.get(key);
  if (known !== undefined) return known;
  const image = context.task.images[index];
  if (image === undefined) throw new RangeError(`no input image ${index}`);
  const made = prepareImageStill({
    ffmpeg: context.ffmpeg,
    imagePath: image.path,
    outputPath: path.join(context.folder, `${key}.rgb`),
    width,
    height,
    inset,
    timeoutMs: context.stillTimeoutMs,
    signal: context.signal,
  });
  context.stills.set(key, made);
  return made;
}
