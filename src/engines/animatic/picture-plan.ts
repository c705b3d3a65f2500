import type { GenerationMode } from '../../domain/generation-request.ts';
import type { LocalMedia } from '../engine.ts';
import type { PromptPlan, ShotPlan } from './prompt-plan.ts';
import { findMentions, orderByMention, type ReferenceMention } from './reference-mentions.ts';

/** One input (image or video) as a shot uses it: its place in the task's list and its role. */
export interface MediaUse {
  readonly index: number;
  readonly role: string | null;
}

/** What a shot shows before particles and captions are drawn over it. */
export type ShotPicture =
  | { readonly kind: 'painted' }
  | { readonly kind: 'image'; readonly image: MediaUse }
  /** Part of the crossfade that runs over the whole clip, from the first frame to the last. */
  | { readonly kind: 'transition'; readonly from: MediaUse; readonly to: MediaUse }
  /** A reference video played from its start as a cutaway (multimodal reference). */
  | { readonly kind: 'video'; readonly video: MediaUse }
  /** This shot's stretch of the one continuous footage of an edit or an extension. */
  | { readonly kind: 'footage' };

/** A planned shot and the picture it shows. */
export interface AnimaticShot extends ShotPlan {
  readonly picture: ShotPicture;
}

/** The shots of a task with its media placed. */
export interface PicturePlan {
  readonly shots: readonly AnimaticShot[];
  readonly mode: GenerationMode;
  /** Indexes of images no shot shows (more references than cuts). */
  readonly unusedImages: readonly number[];
  /** Indexes of reference videos no shot shows. */
  readonly unusedVideos: readonly number[];
}

/** The task's visual inputs. */
export interface VisualMedia {
  readonly images: readonly LocalMedia[];
  readonly videos: readonly LocalMedia[];
}

interface Timing {
  readonly fps: number;
  readonly frameCount: number;
}

/**
 * Places the task's media on the prompt's shots, by mode:
 * - text-to-video: every shot painted;
 * - first frame: shot 1 shows the image, later time-coded shots stay painted;
 * - first + last frame: every shot is its stretch of one crossfade over the whole clip, so cuts and
 *   captions still follow the time codes while the picture runs from one image to the other. The
 *   camera holds still (a move would stop the last frame from being the last image);
 * - reference: images and videos are the shots. A time-coded shot shows what it names (`[Image 2]`,
 *   `@Video 1`), else the next reference in turn; a prompt with one shot is split into one cut per
 *   reference (each at least a second) in the order the prompt names them, unnamed ones after;
 * - video edit and extension: every shot is its stretch of one continuous footage built from the
 *   reference videos (see `planFootage`).
 */
export function planShotPictures(
  plan: PromptPlan,
  media: VisualMedia,
  timing: Timing,
  mode: GenerationMode,
): PicturePlan {
  const { images } = media;
  const use = (list: readonly LocalMedia[], index: number): MediaUse => ({
    index,
    role: list[index]?.role ?? null,
  });
  const withPicture = (shot: ShotPlan, picture: ShotPicture): AnimaticShot => ({ ...shot, picture });
  const none = { unusedImages: [], unusedVideos: [] };

  switch (mode) {
    case 'text-to-video':
      return { shots: plan.shots.map((shot) => withPicture(shot, { kind: 'painted' })), mode, ...none };
    case 'first-frame': {
      const first = Math.max(
        0,
        images.findIndex((image) => image.role === 'first_frame'),
      );
      const shots = plan.shots.map((shot) =>
        withPicture(
          shot,
          shot.index === 0 ? { kind: 'image', image: use(images, first) } : { kind: 'painted' },
        ),
      );
      return { shots, mode, ...none };
    }
    case 'first-last-frame': {
      const from = use(
        images,
        images.findIndex((image) => image.role === 'first_frame'),
      );
      const to = use(
        images,
        images.findIndex((image) => image.role === 'last_frame'),
      );
      const shots = plan.shots.map((shot): AnimaticShot => ({
        ...shot,
        cameraMove: 'static',
        picture: { kind: 'transition', from, to },
      }));
      return { shots, mode, ...none };
    }
    case 'video-edit':
    case 'video-extension':
      return {
        shots: plan.shots.map((shot) => withPicture(shot, { kind: 'footage' })),
        mode,
        unusedImages: mode === 'video-extension' ? images.map((_, index) => index) : [],
        unusedVideos: [],
      };
    case 'reference':
      return planReferenceShots(plan, media, timing);
  }
}

function planReferenceShots(plan: PromptPlan, media: VisualMedia, timing: Timing): PicturePlan {
  const { images, videos } = media;
  const counts = { image: images.length, video: videos.length, audio: 0 };
  const picture = (mention: ReferenceMention): ShotPicture =>
    mention.kind === 'video'
      ? { kind: 'video', video: { index: mention.index, role: videos[mention.index]?.role ?? null } }
      : { kind: 'image', image: { index: mention.index, role: images[mention.index]?.role ?? null } };
  const visuals = orderByMention(plan.timeCoded ? '' : (plan.shots[0]?.caption ?? ''), counts, [
    'image',
    'video',
  ]);
  // Audio-only references: the soundtrack plays under painted shots.
  if (visuals.length === 0) {
    return {
      shots: plan.shots.map((shot) => ({ ...shot, picture: { kind: 'painted' } })),
      mode: 'reference',
      unusedImages: [],
      unusedVideos: [],
    };
  }

  let shots: AnimaticShot[];
  const only = plan.shots[0];
  if (plan.shots.length === 1 && only !== undefined && !plan.timeCoded) {
    shots = splitIntoCuts(only, visuals.length, timing).map((shot) => ({
      ...shot,
      picture: picture(visuals[shot.index] ?? { kind: 'image', index: 0 }),
    }));
  } else {
    shots = plan.shots.map((shot) => {
      const named = findMentions(shot.caption, counts).find((mention) => mention.kind !== 'audio');
      return {
        ...shot,
        picture: picture(named ?? visuals[shot.index % visuals.length] ?? { kind: 'image', index: 0 }),
      };
    });
  }
  const shown = (kind: 'image' | 'video') =>
    new Set(
      shots.flatMap((shot) =>
        shot.picture.kind === 'image' && kind === 'image'
          ? [shot.picture.image.index]
          : shot.picture.kind === 'video' && kind === 'video'
            ? [shot.picture.video.index]
            : [],
      ),
    );
  const shownImages = shown('image');
  const shownVideos = shown('video');
  return {
    shots,
    mode: 'reference',
    unusedImages: images.map((_, index) => index).filter((index) => !shownImages.has(index)),
    unusedVideos: videos.map((_, index) => index).filter((index) => !shownVideos.has(index)),
  };
}

/**
 * One shot cut into up to `count` shots of at least one second each (a cut shorter than that
 * reads as a flicker, not a shot), sharing its look, move and caption. Cut points are rounded
 * to frames; since every share is at least `fps` frames, every rounded cut is too.
 */
function splitIntoCuts(shot: ShotPlan, count: number, timing: Timing): ShotPlan[] {
  const cuts = Math.max(1, Math.min(count, Math.floor(shot.frameCount / timing.fps)));
  const boundary = (cut: number) => shot.startFrame + Math.round((cut * shot.frameCount) / cuts);
  return Array.from({ length: cuts }, (_, index) => ({
    ...shot,
    index,
    startFrame: boundary(index),
    frameCount: boundary(index + 1) - boundary(index),
  }));
}
