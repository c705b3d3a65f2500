import type { GenerationTask } from '../engine.ts';
import type { PicturePlan } from './image-plan.ts';
import { palettes } from './palettes.ts';
import { particleKindFor } from './particles.ts';

/** The honest description every animatic job carries (DESIGN.md §7). */
export const honestNote =
  'Animatic is a CPU previsualisation renderer built on ffmpeg, not a neural video model: it paints ' +
  'a palette, a camera move, cuts and captions from the words of the prompt, and frames, moves and ' +
  'cross-fades the given images without inventing motion inside them.';

/** What the render knew beyond the plan: how each shot's image was framed, the sound, the encoder. */
export interface RenderFacts {
  /** Per shot, in order; see `PreparedShot.firstFrameIsWholeImage`. */
  readonly firstFrameIsWholeImage: readonly (boolean | undefined)[];
  readonly audio: Readonly<Record<string, unknown>> | null;
  readonly encoder: Readonly<Record<string, unknown>>;
  readonly ffmpegSource: string;
}

/**
 * The job metadata of one animatic render: the exact numbers, every choice per shot and where it
 * came from (prompt words or seed), which input image each shot shows (index into the task's
 * images, and its role), and the note that this is a previz, not a generative model.
 */
export function describeRender(
  task: GenerationTask,
  pictures: PicturePlan,
  timeCoded: boolean,
  facts: RenderFacts,
): Readonly<Record<string, unknown>> {
  const firstShot = pictures.shots[0];
  return {
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
    timeCoded,
    inputMode: pictures.mode ?? 'text',
    unusedImages: pictures.unusedImages,
    shots: pictures.shots.map((shot, index) => {
      const picture = shot.picture;
      return {
        index: shot.index,
        startSeconds: shot.startFrame / task.fps,
        endSeconds: (shot.startFrame + shot.frameCount) / task.fps,
        startFrame: shot.startFrame,
        frameCount: shot.frameCount,
        caption: shot.caption,
        picture: picture.kind === 'transition' ? 'crossfade' : picture.kind,
        image: picture.kind === 'image' ? picture.image : picture.kind === 'transition' ? picture.from : null,
        ...(picture.kind === 'transition' ? { fadesTo: picture.to } : {}),
        ...(picture.kind === 'image'
          ? { firstFrameIsWholeImage: facts.firstFrameIsWholeImage[index] ?? true }
          : {}),
        palette: shot.palette,
        light: palettes[shot.palette].light,
        setting: shot.setting,
        weather: shot.weather,
        particles: particleKindFor(palettes[shot.palette], shot.weather),
        cameraMove: shot.cameraMove,
        choices: shot.choices,
      };
    }),
    audio: facts.audio,
    encoder: facts.encoder,
    ffmpegSource: facts.ffmpegSource,
  };
}
