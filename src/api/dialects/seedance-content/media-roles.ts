import type { FieldIssue } from '../../../domain/app-error.ts';
import { mediaRoles, withImpliedRoles } from '../../../domain/generation-mode.ts';
import type { MediaReference } from '../../../domain/generation-request.ts';
import type { ContentMedia, MediaKind } from './content-items.ts';

/**
 * Which role each media item of a Seedance `content[]` plays (seed 004's roles), and the counts of
 * each kind. Which mode the roles make, and which combinations are refused, is decided for every
 * dialect in `src/domain/generation-mode.ts`.
 */

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
 * Checks each item's role against its kind and the counts, and gives the media their roles: the
 * ones the client named, else the ones seed 004 implies (`withImpliedRoles`; an image without a
 * role is the first frame of a frame request, else a reference image). The mode rules (mutual
 * exclusion, last frame needs first frame, audio never alone) are the domain's
 * (`generationModeIssues`), checked by the caller on the resolved media; every reference records
 * `${path}.role` so those rules are reported where the role is given. `listPath` names the whole
 * list for count limits.
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

  const references = (kind: MediaKind): MediaReference[] =>
    valid
      .filter((item) => item.kind === kind)
      .map((item) => ({
        source: item.source,
        field: item.sourcePath,
        // Images outside content[] (new-api's `images[]`) are their own path and have no role field.
        ...(item.path === item.sourcePath ? {} : { roleField: `${item.path}.role` }),
        ...(item.role === undefined ? {} : { role: item.role }),
      }));
  const roled = withImpliedRoles({
    images: references('image'),
    videos: references('video'),
    audios: references('audio'),
  });
  return { ...roled, issues };
}
