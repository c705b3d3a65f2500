import type { GenerationMode } from '../../domain/generation-request.ts';
import type { GenerationTask } from '../engine.ts';
import { imageInputIssue, imageInputMode, maximumReferenceImages } from './image-plan.ts';

/** Seedance's limits on reference videos and audio clips (AnyFast seed, "Multimodal reference"). */
export const maximumReferenceVideos = 3;
export const maximumReferenceAudios = 3;

/** Words that ask for a reference video to be continued rather than cut into the clip. */
const extensionWords =
  /\b(extend|extends|extended|extending|extension|continue|continues|continued|continuation|carry on)\b|延长|延续|续写|接着/i;

/**
 * The mode the animatic renders. The task's own mode wins; only a task still marked
 * `text-to-video` while carrying media (a request from before modes were derived) is read from
 * its inputs: videos with images are an edit (with audio too, a multimodal reference), videos
 * alone an extension when the prompt says extend or continue and references otherwise, images by
 * their roles, audio alone a soundtrack for painted shots.
 */
export function resolveAnimaticMode(task: GenerationTask): GenerationMode {
  if (task.mode !== 'text-to-video') return task.mode;
  const { images, videos, audios } = task;
  if (videos.length > 0) {
    if (images.length > 0) return audios.length > 0 ? 'reference' : 'video-edit';
    return extensionWords.test(task.prompt) ? 'video-extension' : 'reference';
  }
  const imageMode = imageInputMode(images);
  if (imageMode !== undefined) return imageMode === 'reference-images' ? 'reference' : imageMode;
  return audios.length > 0 ? 'reference' : 'text-to-video';
}

/** Why the animatic cannot render `task` in `mode`, or undefined when it can. */
export function modeInputIssue(task: GenerationTask, mode: GenerationMode): string | undefined {
  const { images, videos, audios } = task;
  if (videos.some((video) => video.kind !== 'video')) return 'a video input is not a video';
  if (audios.some((audio) => audio.kind !== 'audio')) return 'an audio input is not audio';
  if (videos.length > maximumReferenceVideos) {
    return `at most ${maximumReferenceVideos} reference videos, got ${videos.length}`;
  }
  if (audios.length > maximumReferenceAudios) {
    return `at most ${maximumReferenceAudios} reference audio clips, got ${audios.length}`;
  }
  const imageIssue = imageInputIssue(images);
  if (imageIssue !== undefined) return imageIssue;
  const imageMode = imageInputMode(images);
  const roleGiven = images.some((image) => image.role === 'first_frame' || image.role === 'last_frame');
  switch (mode) {
    case 'text-to-video':
      return images.length + videos.length + audios.length > 0
        ? 'a text-to-video task carries no media inputs'
        : undefined;
    case 'first-frame':
    case 'first-last-frame':
      if (videos.length > 0) return `${mode} takes no reference videos`;
      return imageMode === mode
        ? undefined
        : `${mode} needs ${mode === 'first-frame' ? 'one first_frame image' : 'a first_frame and a last_frame image'}`;
    case 'reference':
      if (roleGiven) return 'reference mode takes no first_frame or last_frame images';
      if (images.length > maximumReferenceImages) return `at most ${maximumReferenceImages} reference images`;
      return images.length + videos.length + audios.length === 0
        ? 'reference mode needs at least one reference'
        : undefined;
    case 'video-edit':
      if (roleGiven) return 'video editing takes reference images, not first_frame or last_frame images';
      return videos.length === 0 || images.length === 0
        ? 'video editing needs a reference video and at least one reference image'
        : undefined;
    case 'video-extension':
      if (videos.length === 0) return 'video extension needs at least one reference video';
      return images.length > 0 ? 'video extension takes no images' : undefined;
  }
}
