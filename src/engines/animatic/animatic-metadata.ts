import type { GenerationTask } from '../engine.ts';
import type { FootagePlan } from './footage-plan.ts';
import type { PicturePlan } from './picture-plan.ts';
import { palettes } from './palettes.ts';
import { particleKindFor } from './particles.ts';

/** The honest description every animatic job carries (DESIGN.md §7). */
export const honestNote =
  'Animatic is a CPU previsualisation renderer built on ffmpeg, not a neural video model: it paints ' +
  'a palette, a camera move, cuts and captions from the words of the prompt; frames, moves and ' +
  'cross-fades the given images, cuts, re-times and composites the given videos and holds their ' +
  'last frame to extend them, without inventing motion inside any of them; dialogue is spoken by ' +
  'the eSpeak NG formant synthesiser.';

/** What the render knew beyond the plan: how each shot's image was framed, the sound, the encoder. */
export interface RenderFacts {
  /** Per shot, in order; see `PreparedShot.firstFrameIsWholeImage`. */
  readonly firstFrameIsWholeImage: readonly (boolean | undefined)[];
  /** The footage of an edit or extension. */
  readonly footage: FootagePlan | undefined;
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
    inputMode: pictures.mode,
    unusedImages: pictures.unusedImages,
    unusedVideos: pictures.unusedVideos,
    ...(facts.footage === undefined ? {} : { footage: describeFootage(facts.footage, task.fps) }),
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
        ...(picture.kind === 'video' ? { video: picture.video } : {}),
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

/** How an edit or extension was built, in seconds and frames. */
function describeFootage(footage: FootagePlan, fps: number): Readonly<Record<string, unknown>> {
  return {
    videos: footage.clips.map((clip) => ({ index: clip.videoIndex, durationSeconds: clip.durationSeconds })),
    ...(footage.retimeFactor === undefined ? {} : { retimeFactor: Number(footage.retimeFactor.toFixed(4)) }),
    referenceEndsAtSeconds: footage.footageFrames / fps,
    ...(footage.continuation === undefined
      ? {}
      : {
          continuation: {
            move: footage.continuation.move,
            fromSeconds: footage.continuation.fromFrame / fps,
            kind: 'held last frame',
          },
        }),
    ...(footage.layout === undefined
      ? {}
      : {
          composite: {
            style: footage.layout.style,
            styleFrom: footage.layout.styleSource,
            place: `${footage.layout.vertical} ${footage.layout.horizontal}`,
            images: footage.layout.composites.map((composite) => ({
              index: composite.imageIndex,
              ...composite.rectangle,
            })),
          },
        }),
  };
}
