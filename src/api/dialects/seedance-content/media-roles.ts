import type { FieldIssue } from '../../../domain/app-error.ts';
import type { MediaReference } from '../../../domain/generation-request.ts';
import type { ContentMedia, MediaKind } from './content-items.ts';

/**
 * Which role each media item plays, and whether the combination is one of the input modes seed 004
 * lists: first frame, first + last frame, or multimodal reference (images, videos, audio) — which
 * are mutually exclusive.
 */

export const mediaRoles = {
  image: ['first_frame', 'last_frame', 'reference_image'],
  video: ['reference_video'],
  audio: ['reference_audio'],
} as const satisfies Record<MediaKind, readonly string[]>;

/** Seed 004's limits for multimodal reference: 1–9 images, up to 3 videos, up to 3 audio clips. */
export const mediaLimits = { image: 9, video: 3, audio: 3 } as const satisfies Record<MediaKind, number>;

const itemNames: Record<MediaKind, string> = {
  image: 'image_url',
  video: 'video_url',
  audio: 'audio_url',
};

const limitNames: Record<MediaKind, string> = { image: 'images', video: 'videos', audio: 'audio clips' };

/** The media as MediaReferences with their roles, and every broken mode rule. */
export interface ResolvedMedia {
  readonly images: readonly MediaReference[];
  readonly videos: readonly MediaReference[];
  readonly audios: readonly MediaReference[];
  readonly issues: readonly FieldIssue[];
}

/**
 * Gives every media item its role and checks the mode rules, reporting each broken rule at the item
 * that breaks it (`content[2].role`). `listPath` names the whole list for count limits.
 *
 * An image without a role is the first frame when the request is a frame request (it is the only
 * image, or the other one is the `last_frame`, and there are no videos, audio or reference images);
 * otherwise it is a reference image. Videos and audio have one role each, so theirs is implied.
 */
export function resolveMediaRoles(media: readonly ContentMedia[], listPath: string): ResolvedMedia {
  const issues: FieldIssue[] = [];
  const valid = media.filter((item) => {
    const allowed: readonly string[] = mediaRoles[item.kind];
    if (item.role === undefined || allowed.includes(item.role)) return true;
    const field = `${item.path}.role`;
    issues.push({
      field,
      rule: 'enum',
      message: `${field} must be ${allowed.length === 1 ? '' : 'one of '}${allowed.join(', ')} for ${item.kind === 'video' ? 'a' : 'an'} ${itemNames[item.kind]} item, got ${JSON.stringify(item.role)}`,
    });
    return false;
  });

  const images = valid.filter((item) => item.kind === 'image');
  const frameRequest =
    valid.every((item) => item.kind === 'image' && item.role !== 'reference_image') &&
    images.filter((item) => item.role === undefined).length === 1 &&
    images.length <= 2 &&
    images.every((item) => item.role !== 'first_frame');
  const roled = valid.map((item) => ({
    ...item,
    given: item.role,
    role: item.role ?? defaultRole(item.kind, frameRequest),
  }));

  for (const kind of ['image', 'video', 'audio'] as const) {
    const count = media.filter((item) => item.kind === kind).length;
    if (count > mediaLimits[kind]) {
      issues.push({
        field: listPath,
        rule: 'max_items',
        message: `${listPath} may hold at most ${mediaLimits[kind]} ${limitNames[kind]} (${itemNames[kind]} items), got ${count}`,
      });
    }
  }

  const firstFrames = roled.filter((item) => item.role === 'first_frame');
  const lastFrames = roled.filter((item) => item.role === 'last_frame');
  for (const [name, items] of [
    ['first_frame', firstFrames],
    ['last_frame', lastFrames],
  ] as const) {
    for (const extra of items.slice(1)) {
      issues.push({
        field: `${extra.path}.role`,
        rule: 'max_items',
        message: `${extra.path}.role: only one ${name} image is allowed (${items[0]?.path ?? ''} is already the ${name})`,
      });
    }
  }
  const frame = firstFrames[0] ?? lastFrames[0];
  if (frame !== undefined) {
    for (const item of roled.filter((candidate) => candidate.role.startsWith('reference_'))) {
      const what = item.given === undefined ? `an item without a role (a ${item.role} here)` : item.role;
      issues.push({
        field: `${item.path}.role`,
        rule: 'exclusive',
        message: `${item.path}.role: ${what} cannot be combined with the ${frame.role} image at ${frame.path}; first frame, first + last frame and multimodal reference are mutually exclusive`,
      });
    }
  }
  const lastFrame = lastFrames[0];
  if (lastFrame !== undefined && firstFrames.length === 0) {
    issues.push({
      field: `${lastFrame.path}.role`,
      rule: 'requires',
      message: `${lastFrame.path}.role: a last_frame image needs a first_frame image as well`,
    });
  }
  const firstAudio = media.find((item) => item.kind === 'audio');
  if (firstAudio !== undefined && media.every((item) => item.kind === 'audio')) {
    issues.push({
      field: firstAudio.path,
      rule: 'requires',
      message: `${firstAudio.path}: reference audio cannot be the only media; add at least one reference image or video`,
    });
  }

  const references = (kind: MediaKind): MediaReference[] =>
    roled
      .filter((item) => item.kind === kind)
      .map((item) => ({ source: item.source, field: item.sourcePath, role: item.role }));
  return { images: references('image'), videos: references('video'), audios: references('audio'), issues };
}

function defaultRole(kind: MediaKind, frameRequest: boolean): string {
  if (kind === 'image') return frameRequest ? 'first_frame' : 'reference_image';
  return kind === 'video' ? 'reference_video' : 'reference_audio';
}
