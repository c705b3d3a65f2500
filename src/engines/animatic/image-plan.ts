import type { LocalMedia } from '../engine.ts';
import type { PromptPlan, ShotPlan } from './prompt-plan.ts';

/** How the task's images shape the animatic (DESIGN.md §7). */
export type ImageInputMode = 'first-frame' | 'first-last-frame' | 'reference-images';

/** One input image as a shot uses it: its place in `task.images` and the role it was given. */
export interface ImageUse {
  readonly index: number;
  readonly role: string | null;
}

/** What a shot shows before particles and captions are drawn over it. */
export type ShotPicture =
  | { readonly kind: 'painted' }
  | { readonly kind: 'image'; readonly image: ImageUse }
  /** Part of the crossfade that runs over the whole clip, from the first frame to the last. */
  | { readonly kind: 'transition'; readonly from: ImageUse; readonly to: ImageUse };

/** A planned shot and the picture it shows. */
export interface AnimaticShot extends ShotPlan {
  readonly picture: ShotPicture;
}

/** The shots of a task with its images placed. */
export interface PicturePlan {
  readonly shots: readonly AnimaticShot[];
  readonly mode: ImageInputMode | undefined;
  /** Indexes of images no shot shows (more references than cuts). */
  readonly unusedImages: readonly number[];
}

/** Seedance's limit on reference images; more would need more cuts than a clip can carry. */
export const maximumReferenceImages = 9;

const knownRoles = new Set(['first_frame', 'last_frame', 'reference_image']);

/**
 * Why the animatic engine cannot use these images, or undefined when it can. The roles follow
 * Seedance: a first frame (alone, or with a last frame), or up to nine reference images, never
 * both; a lone image without a role is a first frame and several are references.
 */
export function imageInputIssue(images: readonly LocalMedia[]): string | undefined {
  if (images.some((image) => image.kind !== 'image')) return 'an image input is not an image';
  const unknown = images.find((image) => image.role !== undefined && !knownRoles.has(image.role));
  if (unknown !== undefined) return `unknown image role "${unknown.role ?? ''}"`;
  const count = (role: string) => images.filter((image) => image.role === role).length;
  const firstFrames = count('first_frame');
  const lastFrames = count('last_frame');
  if (firstFrames > 1 || lastFrames > 1) return 'at most one first_frame and one last_frame image';
  if (lastFrames === 1 && firstFrames === 0) return 'a last_frame image needs a first_frame image';
  if (firstFrames + lastFrames > 0 && images.length > firstFrames + lastFrames) {
    return 'first/last frame images cannot be combined with reference images';
  }
  if (firstFrames === 0 && images.length > maximumReferenceImages) {
    return `at most ${maximumReferenceImages} reference images, got ${images.length}`;
  }
  return undefined;
}

/** Which mode a valid set of images (see {@link imageInputIssue}) asks for. */
export function imageInputMode(images: readonly LocalMedia[]): ImageInputMode | undefined {
  if (images.length === 0) return undefined;
  const roles = images.map((image) => image.role);
  if (roles.includes('last_frame')) return 'first-last-frame';
  if (roles.includes('first_frame') || (images.length === 1 && roles[0] === undefined)) return 'first-frame';
  return 'reference-images';
}

/** `@Image 2`, `@image2` or `[Image 2]`: which input image (counted from 1) a shot's text names. */
const imageMentionPattern = /@\s*image\s*(\d{1,2})\b|\[\s*image\s*(\d{1,2})\s*\]/i;

/** The input image (0-based) a shot's text names, when it names one that exists. */
export function mentionedImage(text: string, imageCount: number): number | undefined {
  const match = imageMentionPattern.exec(text);
  const number = Number(match?.[1] ?? match?.[2] ?? Number.NaN);
  return Number.isInteger(number) && number >= 1 && number <= imageCount ? number - 1 : undefined;
}

/**
 * Places the task's images on the prompt's shots:
 * - first frame: shot 1 shows the image, later time-coded shots stay painted;
 * - first + last frame: every shot is its stretch of one crossfade over the whole clip, so cuts and
 *   captions still follow the time codes while the picture runs from one image to the other. The
 *   camera holds still (a move would stop the last frame from being the last image);
 * - reference images: shot n shows image n mod count, unless a time-coded shot names one
 *   (`[Image 2]`, `@Image 2`); a single shot is split into one cut per image, each at least one
 *   second (images beyond what fits stay unused).
 */
export function planShotPictures(
  plan: PromptPlan,
  images: readonly LocalMedia[],
  timing: { readonly fps: number; readonly frameCount: number },
): PicturePlan {
  const mode = imageInputMode(images);
  const use = (index: number): ImageUse => ({ index, role: images[index]?.role ?? null });
  const painted = (shot: ShotPlan): AnimaticShot => ({ ...shot, picture: { kind: 'painted' } });
  const all = images.map((_, index) => index);

  if (mode === undefined) return { shots: plan.shots.map(painted), mode, unusedImages: [] };

  if (mode === 'first-frame') {
    const first = Math.max(
      0,
      images.findIndex((image) => image.role === 'first_frame'),
    );
    const shots = plan.shots.map((shot) =>
      shot.index === 0 ? { ...shot, picture: { kind: 'image', image: use(first) } as const } : painted(shot),
    );
    return { shots, mode, unusedImages: [] };
  }

  if (mode === 'first-last-frame') {
    const from = use(images.findIndex((image) => image.role === 'first_frame'));
    const to = use(images.findIndex((image) => image.role === 'last_frame'));
    const shots = plan.shots.map((shot): AnimaticShot => ({
      ...shot,
      cameraMove: 'static',
      picture: { kind: 'transition', from, to },
    }));
    return { shots, mode, unusedImages: [] };
  }

  const only = plan.shots[0];
  const named = only === undefined ? undefined : mentionedImage(only.caption, images.length);
  if (plan.shots.length === 1 && only !== undefined && images.length > 1 && named === undefined) {
    const shots = splitIntoCuts(only, images.length, timing).map((shot): AnimaticShot => ({
      ...shot,
      picture: { kind: 'image', image: use(shot.index) },
    }));
    return { shots, mode, unusedImages: all.slice(shots.length) };
  }
  const shots = plan.shots.map((shot): AnimaticShot => {
    const index =
      (plan.timeCoded ? mentionedImage(shot.caption, images.length) : undefined) ??
      shot.index % images.length;
    return { ...shot, picture: { kind: 'image', image: use(index) } };
  });
  const used = new Set(shots.map((shot) => (shot.picture.kind === 'image' ? shot.picture.image.index : -1)));
  return { shots, mode, unusedImages: all.filter((index) => !used.has(index)) };
}

/**
 * One shot cut into up to `count` shots of at least one second each (a cut shorter than that
 * reads as a flicker, not a shot), sharing its look, move and caption. Cut points are rounded
 * to frames; since every share is at least `fps` frames, every rounded cut is too.
 */
function splitIntoCuts(
  shot: ShotPlan,
  count: number,
  timing: { readonly fps: number; readonly frameCount: number },
): ShotPlan[] {
  const cuts = Math.max(1, Math.min(count, Math.floor(shot.frameCount / timing.fps)));
  const boundary = (cut: number) => shot.startFrame + Math.round((cut * shot.frameCount) / cuts);
  return Array.from({ length: cuts }, (_, index) => ({
    ...shot,
    index,
    startFrame: boundary(index),
    frameCount: boundary(index + 1) - boundary(index),
  }));
}
