import type { ModelInfo } from '../../src/client/index.ts';
import type { MediaItem } from './media-drop-zone.tsx';
import type { FormField } from './schema-fields.ts';

export interface RoleOption {
  /** The Seedance role sent with the job; empty for "let the server decide". */
  readonly value: string;
  readonly label: string;
}

/**
 * Roles offered for a media field. Only images have a choice (seed 004: first_frame, last_frame,
 * reference_image; videos and audio have one role each), and only on models whose schema takes
 * images — `capabilities.modes` lists the frame modes then. "Automatic" sends no role: the server
 * applies its rule (a lone image is the first frame, others are references; decision 0010).
 */
export function mediaRolesOf(model: ModelInfo, field: Extract<FormField, { kind: 'media' }>): RoleOption[] {
  const modes = model.capabilities?.['modes'];
  if (field.media !== 'image' || field.single || !Array.isArray(modes) || !modes.includes('first-frame'))
    return [];
  return [
    { value: '', label: 'Automatic' },
    { value: 'first_frame', label: 'First frame' },
    { value: 'last_frame', label: 'Last frame' },
    { value: 'reference_image', label: 'Reference image' },
  ];
}

/** The uploaded media of each field, in order: what goes into the input arrays. */
export function readyMedia(items: readonly MediaItem[] | undefined): MediaItem[] {
  return (items ?? []).filter((item) => item.state === 'ready' && item.assetUrl !== undefined);
}

/**
 * The chosen roles keyed by input path (`images[1]` → `last_frame`), as `POST /v1/jobs` takes
 * them; the index is the item's place in the submitted array (uploaded items only).
 */
export function rolesOf(media: Readonly<Record<string, readonly MediaItem[]>>): Record<string, string> {
  const roles: Record<string, string> = {};
  for (const [field, items] of Object.entries(media)) {
    readyMedia(items).forEach((item, index) => {
      if (item.role !== undefined && item.role !== '') roles[`${field}[${index}]`] = item.role;
    });
  }
  return roles;
}
