import type { LocalMedia } from '../engine.ts';

/** How the task's images shape the animatic (DESIGN.md §7). */
export type ImageInputMode = 'first-frame' | 'first-last-frame' | 'reference-images';

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
