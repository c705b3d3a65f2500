import type { AspectRatio } from '../domain/media-facts.ts';
import { nearestAspectRatio } from '../domain/media-facts.ts';
import type { LocalMedia } from '../engines/engine.ts';

/**
 * `adaptive` (DESIGN.md §6, issue 5): the allowed ratio nearest to the first-frame image, else to
 * the first reference image; 16:9 when there is neither. A last-frame image never decides: the
 * video starts from the first frame. An image with no role counts as a reference (roles are filled
 * in at submit; only jobs stored before that lack them).
 */
export function adaptiveRatio(images: readonly LocalMedia[]): AspectRatio {
  const measured = images.filter((image) => image.width !== undefined && image.height !== undefined);
  const chosen =
    measured.find((image) => image.role === 'first_frame') ??
    measured.find((image) => image.role === undefined || image.role === 'reference_image');
  return chosen?.width === undefined || chosen.height === undefined
    ? '16:9'
    : nearestAspectRatio(chosen.width, chosen.height);
}
