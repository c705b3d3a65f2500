import type { GenerationTask } from '../engine.ts';
import { planEditLayout, type EditLayout } from './edit-layout.ts';
import type { PicturePlan } from './picture-plan.ts';
import { orderByMention } from './reference-mentions.ts';

/** How the camera carries on over the held last frame of an extension. */
export type ContinuationMove = 'push-in' | 'pan-left' | 'pan-right' | 'static';

/** One reference video as a stretch of the footage. */
export interface FootageClip {
  readonly videoIndex: number;
  readonly path: string;
  readonly durationSeconds: number;
}

/**
 * The one continuous picture of a video edit or extension, `frameCount` frames long, that every
 * shot shows its stretch of.
 */
export interface FootagePlan {
  readonly mode: 'video-edit' | 'video-extension';
  /** The reference videos, played one after another, each fitted (letterboxed) to the output. */
  readonly clips: readonly FootageClip[];
  /** Edit: the clips' timestamps are multiplied by this so they fill the requested duration. */
  readonly retimeFactor: number | undefined;
  /** Where the reference footage ends, in output frames (the continuation starts here). */
  readonly footageFrames: number;
  /** Extension: the camera move over the held last frame; undefined when the footage fills the clip. */
  readonly continuation: { readonly move: ContinuationMove; readonly fromFrame: number } | undefined;
  /** Edit: where the reference images go. */
  readonly layout: EditLayout | undefined;
}

/**
 * Plans the footage of an edit or an extension:
 * - edit: the reference videos (in the order the prompt names them) are concatenated and re-timed
 *   to exactly the requested duration — slowed down or sped up by dropping or repeating frames —
 *   and the reference images are composited where the prompt says (see `planEditLayout`);
 * - extension: the reference videos are concatenated at their own speed, so the first seconds are
 *   the reference itself; past their end the last frame is held while the camera carries on with
 *   the move the prompt names for that stretch (a pull-out, orbit or tracking shot pushes in: a
 *   held frame has nothing outside it to reveal or travel past). Footage longer than the request
 *   is cut at the requested duration.
 */
export function planFootage(task: GenerationTask, pictures: PicturePlan): FootagePlan | undefined {
  const mode = pictures.mode;
  if (mode !== 'video-edit' && mode !== 'video-extension') return undefined;
  const counts = { image: task.images.length, video: task.videos.length, audio: 0 };
  const clips = orderByMention(task.prompt, counts, ['video']).map(({ index }) => ({
    videoIndex: index,
    path: task.videos[index]?.path ?? '',
    durationSeconds: task.videos[index]?.durationSeconds ?? 0,
  }));
  const sourceSeconds = clips.reduce((total, clip) => total + clip.durationSeconds, 0);
  const targetSeconds = task.frameCount / task.fps;

  if (mode === 'video-edit') {
    const imageOrder = orderByMention(task.prompt, counts, ['image']).map(({ index }) => index);
    return {
      mode,
      clips,
      retimeFactor: sourceSeconds > 0 ? targetSeconds / sourceSeconds : undefined,
      footageFrames: task.frameCount,
      continuation: undefined,
      layout: planEditLayout(task.prompt, imageOrder, task),
    };
  }

  const footageFrames = clips.reduce((total, clip) => total + Math.round(clip.durationSeconds * task.fps), 0);
  // The move of the continuation: the first shot over it whose words name one, else the seed's.
  const over = pictures.shots.filter((shot) => shot.startFrame + shot.frameCount > footageFrames);
  const continuing = over.find((shot) => shot.choices.cameraMove === 'prompt') ?? over[0];
  return {
    mode,
    clips,
    retimeFactor: undefined,
    footageFrames: Math.min(footageFrames, task.frameCount),
    continuation:
      continuing === undefined || footageFrames >= task.frameCount
        ? undefined
        : { move: continuationMove(continuing.cameraMove), fromFrame: footageFrames },
    layout: undefined,
  };
}

function continuationMove(move: string): ContinuationMove {
  if (move === 'static') return 'static';
  if (move === 'pan-left' || move === 'pan-right') return move;
  return 'push-in';
}
