import type { AspectRatio, Resolution } from './media-facts.ts';

/**
 * The dialect-neutral request every dialect translates into. Below `api/dialects/` nothing knows
 * which API a request came through; everything needed to render the job lives here or on the Job.
 */

/** A media input as the client gave it (URL, data: URI or asset://), not yet fetched. */
export interface MediaReference {
  readonly source: string;
  /** Where the client put it, in the dialect's own terms (`input.images[0]`, `content[2]`), for errors. */
  readonly field?: string;
  /** Seedance roles: first_frame, last_frame, reference_image, reference_video, reference_audio. */
  readonly role?: string;
  /** Where the client gives this input's role (`content[2].role`), when the dialect has such a field. */
  readonly roleField?: string;
}

/**
 * What the media inputs ask for (Seedance 2.0's input modes). Derived from the inputs' kinds and
 * roles in one place (`deriveGenerationMode` in generation-mode.ts), so every dialect and every
 * engine agrees:
 * - `text-to-video`: no media;
 * - `first-frame`: one image that starts the video; `first-last-frame`: plus one that ends it;
 * - `reference`: reference images / videos / audio that become shots, textures or cutaways;
 * - `video-edit`: a reference video with reference image(s) composited into it;
 * - `video-extension`: reference video(s) continued past their last frame.
 */
export type GenerationMode =
  'text-to-video' | 'first-frame' | 'first-last-frame' | 'reference' | 'video-edit' | 'video-extension';

export interface GenerationRequest {
  /** Catalog model id, e.g. `bytedance/seedance-v2/fast`. */
  readonly model: string;
  readonly mode: GenerationMode;
  readonly prompt: string;
  readonly resolution: Resolution;
  /** `adaptive` is resolved to a concrete ratio when the job is prepared. */
  readonly aspectRatio: AspectRatio | 'adaptive';
  readonly durationSeconds: number;
  readonly generateAudio: boolean;
  /** Always concrete: a seed the client omitted is drawn at submit time so a job can be replayed. */
  readonly seed: number;
  /** Seedance's web-search tool; engines that cannot search ignore it and say so. */
  readonly webSearch: boolean;
  /** Also publish the video's last frame as an image (Seedance `return_last_frame`). */
  readonly returnLastFrame: boolean;
  /** Draw a visible "AI generated" mark on the video (Seedance `watermark`). */
  readonly watermark: boolean;
  readonly images: readonly MediaReference[];
  readonly videos: readonly MediaReference[];
  readonly audios: readonly MediaReference[];
}
