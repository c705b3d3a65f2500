import type { FieldIssue } from './app-error.ts';
import type { GenerationMode, GenerationRequest, MediaReference } from './generation-request.ts';

/**
 * Seedance 2.0's input modes (seed 004, "Input modes"), decided in one place for every dialect:
 * which role a media input without one plays, which mode a request's media ask for, and which
 * combinations are refused. See docs/decisions/0010-generation-modes.md.
 */

/** The media inputs of a request, as a dialect read them. */
export interface GenerationMedia {
  readonly images: readonly MediaReference[];
  readonly videos: readonly MediaReference[];
  readonly audios: readonly MediaReference[];
}

/**
 * The modes a model can run, from which media kinds its schema accepts: images allow the frame and
 * reference modes, videos the edit and extension modes. Published by `GET /v1/models`.
 */
export function modesAccepting(kinds: {
  readonly images: boolean;
  readonly videos: boolean;
}): GenerationMode[] {
  return [
    'text-to-video',
    ...(kinds.images ? (['first-frame', 'first-last-frame', 'reference'] as const) : []),
    ...(kinds.videos ? (['video-edit', 'video-extension'] as const) : []),
  ];
}

/** ComfyUI's Seedance nodes name the reference task (`omni_reference_task_type`); `auto` is no hint. */
export type ModeHint = 'reference' | 'edit' | 'extend';

/** The roles seed 004 allows per kind of input. */
export const mediaRoles = {
  image: ['first_frame', 'last_frame', 'reference_image'],
  video: ['reference_video'],
  audio: ['reference_audio'],
} as const;

/** The stable rule names of the mode conflicts, as clients see them in `rule` / `type`. */
export const modeRules = {
  exclusive: 'exclusive_modes',
  lastFrameNeedsFirst: 'last_frame_needs_first_frame',
  oneFrameEach: 'max_items',
  audioOnly: 'audio_only',
  webSearchTextOnly: 'web_search_text_only',
  hintMismatch: 'mode_inputs',
} as const;

const frameRoles: ReadonlySet<string | undefined> = new Set(['first_frame', 'last_frame']);

/**
 * The media with every missing role filled in. An image without a role is the first frame when
 * it is the only image without one, no image is a reference image or already the first frame, at
 * most two images are given, and either nothing else is (seed 004: "first_frame or omit") or the
 * other image is a last frame (then a video beside them is the conflict to report, not the image).
 * Any other image without a role is a reference image; videos and audio have one role each.
 */
export function withImpliedRoles(media: GenerationMedia): GenerationMedia {
  const unroled = media.images.filter((image) => image.role === undefined).length;
  const onlyImages = media.videos.length === 0 && media.audios.length === 0;
  const frameRequest =
    media.images.length <= 2 &&
    unroled === 1 &&
    media.images.every((image) => image.role !== 'reference_image' && image.role !== 'first_frame') &&
    (onlyImages || media.images.some((image) => image.role === 'last_frame'));
  const fill = (role: string) => (reference: MediaReference) =>
    reference.role === undefined ? { ...reference, role } : reference;
  return {
    images: media.images.map(fill(frameRequest ? 'first_frame' : 'reference_image')),
    videos: media.videos.map(fill('reference_video')),
    audios: media.audios.map(fill('reference_audio')),
  };
}

/** Words that ask for a video to be continued rather than used as a reference (English, Chinese). */
const extensionWords =
  /\b(extend(s|ed|ing)?|extension|continu(e|es|ed|ing|ation)|carry on|what happens next)\b|延长|延伸|继续|续写/i;

/** Whether a prompt asks to extend / continue its reference video(s). */
export function asksToExtend(prompt: string): boolean {
  return extensionWords.test(prompt);
}

/**
 * The mode the media (with roles, see {@link withImpliedRoles}) ask for:
 * - no media → `text-to-video`;
 * - a first_frame / last_frame image → `first-frame` / `first-last-frame` (conflicts are
 *   reported by {@link generationModeIssues}, not decided here);
 * - an explicit hint wins among the reference modes;
 * - reference video(s) with reference image(s) and no audio → `video-edit` (seed 004: "text +
 *   image_url + video_url");
 * - reference video(s) alone (audio may be the soundtrack) whose prompt asks to extend or
 *   continue → `video-extension`;
 * - anything else → `reference` (seed 004's multimodal example: image + video + audio).
 */
export function deriveGenerationMode(
  media: GenerationMedia,
  prompt: string,
  hint?: ModeHint,
): GenerationMode {
  const { images, videos, audios } = media;
  if (images.length + videos.length + audios.length === 0) return 'text-to-video';
  if (images.some((image) => image.role === 'last_frame')) return 'first-last-frame';
  if (images.some((image) => image.role === 'first_frame')) return 'first-frame';
  if (hint === 'edit') return 'video-edit';
  if (hint === 'extend') return 'video-extension';
  if (hint === 'reference' || videos.length === 0) return 'reference';
  if (images.length > 0) return audios.length === 0 ? 'video-edit' : 'reference';
  return asksToExtend(prompt) ? 'video-extension' : 'reference';
}

/** The media with implied roles and the mode they ask for: what a dialect puts on its request. */
export function resolveGenerationMedia(
  media: GenerationMedia,
  prompt: string,
  hint?: ModeHint,
): GenerationMedia & { readonly mode: GenerationMode } {
  const resolved = withImpliedRoles(media);
  return { ...resolved, mode: deriveGenerationMode(resolved, prompt, hint) };
}

/** What {@link generationModeIssues} reads: the media (roles filled in) and the web-search flag. */
export type ModeCheckedRequest = Pick<GenerationRequest, 'images' | 'videos' | 'audios' | 'webSearch'>;

/**
 * Every mode rule the request breaks, each at the field the client used, with a stable rule name
 * ({@link modeRules}): one first frame and one last frame at most; first frame, first + last frame
 * and multimodal reference are mutually exclusive; a last frame needs a first frame; audio is
 * never the only media; web search only with text-to-video. `webSearchField` is the dialect's
 * name for the tool (`tools`, `input.tools`).
 */
export function generationModeIssues(request: ModeCheckedRequest, webSearchField = 'tools'): FieldIssue[] {
  const issues: FieldIssue[] = [];
  const images = request.images.map((reference, index) => located(reference, `images[${index}]`));
  const videos = request.videos.map((reference, index) => located(reference, `videos[${index}]`));
  const audios = request.audios.map((reference, index) => located(reference, `audios[${index}]`));

  const firstFrames = images.filter((image) => image.role === 'first_frame');
  const lastFrames = images.filter((image) => image.role === 'last_frame');
  for (const [role, frames] of [
    ['first_frame', firstFrames],
    ['last_frame', lastFrames],
  ] as const) {
    for (const extra of frames.slice(1)) {
      issues.push({
        field: extra.roleAt,
        rule: modeRules.oneFrameEach,
        message: `${extra.roleAt}: only one ${role} image is allowed (${frames[0]?.at ?? ''} is already the ${role})`,
      });
    }
  }
  const frame = firstFrames[0] ?? lastFrames[0];
  if (frame !== undefined) {
    for (const reference of [...images, ...videos, ...audios].filter((item) => !frameRoles.has(item.role))) {
      issues.push({
        field: reference.roleAt,
        rule: modeRules.exclusive,
        message: `${reference.roleAt}: ${reference.role ?? 'a reference'} cannot be combined with the ${frame.role ?? ''} image at ${frame.at}; first frame, first + last frame and multimodal reference are mutually exclusive`,
      });
    }
  }
  const lastFrame = lastFrames[0];
  if (lastFrame !== undefined && firstFrames.length === 0) {
    issues.push({
      field: lastFrame.roleAt,
      rule: modeRules.lastFrameNeedsFirst,
      message: `${lastFrame.roleAt}: a last_frame image needs a first_frame image as well`,
    });
  }
  const firstAudio = audios[0];
  if (firstAudio !== undefined && images.length === 0 && videos.length === 0) {
    issues.push({
      field: firstAudio.at,
      rule: modeRules.audioOnly,
      message: `${firstAudio.at}: audio cannot be the only media input; add a reference image or video`,
    });
  }
  const firstMedia = images[0] ?? videos[0] ?? audios[0];
  if (request.webSearch && firstMedia !== undefined) {
    issues.push({
      field: webSearchField,
      rule: modeRules.webSearchTextOnly,
      message: `${webSearchField}: web search works only for text-to-video, but ${firstMedia.at} is a media input; remove the media or the web search tool`,
    });
  }
  return issues;
}

/**
 * Why a reference-task hint does not fit the media, or undefined when it does: `edit` needs a
 * reference video and a reference image, `extend` reference video(s) and no image, and no hint
 * fits a first / last frame request.
 */
export function modeHintIssue(
  hint: ModeHint | undefined,
  media: GenerationMedia,
  field: string,
): FieldIssue | undefined {
  if (hint === undefined) return undefined;
  const frames = media.images.some((image) => frameRoles.has(image.role));
  const problem = frames
    ? 'first_frame / last_frame images are not a reference task'
    : hint === 'edit' && (media.videos.length === 0 || media.images.length === 0)
      ? 'an edit needs a reference_video item and at least one reference_image item'
      : hint === 'extend' && (media.videos.length === 0 || media.images.length > 0)
        ? 'an extension needs reference_video items and no image items'
        : hint === 'reference' && media.images.length + media.videos.length + media.audios.length === 0
          ? 'a reference task needs at least one reference image, video or audio item'
          : undefined;
  return problem === undefined
    ? undefined
    : { field, rule: modeRules.hintMismatch, message: `${field} is "${hint}", but ${problem}` };
}

/** A reference with where to blame it: its own field, and where its role is (or would be) given. */
function located(reference: MediaReference, fallback: string) {
  const at = reference.field ?? fallback;
  return { role: reference.role, at, roleAt: reference.roleField ?? at };
}
