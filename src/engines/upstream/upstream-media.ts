import { statSync } from 'node:fs';
import { open, readFile } from 'node:fs/promises';
import { storedInputKey } from '../../inputs/input-preparer.ts';
import { sniffHeaderBytes, sniffMediaType } from '../../inputs/media-sniff.ts';
import type { EngineSupport, GenerationTask, LocalMedia } from '../engine.ts';

/**
 * How a task's media inputs reach a provider. The provider cannot read our disk, so each input
 * becomes either a URL on our public base URL (the operator says providers can reach it; the file
 * is published to the BlobStore and signed) or a base64 `data:` URL inside the request body,
 * within the provider's body limit. See docs/decisions/0017-upstream-engines-and-routing.md.
 */
export type MediaDelivery =
  | { readonly kind: 'data' }
  | {
      readonly kind: 'url';
      /**
       * Stores the file under `key` and returns a URL the provider can fetch for a while. The key
       * is the input's own stored key, so retention removes it with the job's other inputs.
       */
      readonly publish: (file: string, key: string, contentType: string) => Promise<string>;
    };

/** One input as the provider will see it: a URL (public or `data:`) and its Seedance role. */
export interface ProviderMedia {
  readonly url: string;
  readonly kind: LocalMedia['kind'];
  readonly role: string | undefined;
}

export interface ProviderInputs {
  readonly images: readonly ProviderMedia[];
  readonly videos: readonly ProviderMedia[];
  readonly audios: readonly ProviderMedia[];
}

/**
 * The request-body budget for inline media: the 64 MiB cap that RunComfy's own clients apply and
 * DESIGN.md §6 sets for request bodies, less room for the rest of the JSON.
 */
export const inlineBodyLimitBytes = 64 * 1024 * 1024 - 64 * 1024;

/** What inline delivery would add to the body: base64 is 4 bytes for every 3. */
export function inlineBytes(task: GenerationTask): number {
  const files = [...task.images, ...task.videos, ...task.audios];
  return files.reduce((total, media) => total + Math.ceil(statSync(media.path).size / 3) * 4 + 64, 0);
}

/** Whether the task's media fit the delivery: inline media must stay within the body limit. */
export function deliverySupport(task: GenerationTask, delivery: MediaDelivery): EngineSupport {
  if (delivery.kind === 'url') return { ok: true };
  const bytes = inlineBytes(task);
  if (bytes <= inlineBodyLimitBytes) return { ok: true };
  const megabytes = (value: number) => `${(value / 1024 / 1024).toFixed(1)} MiB`;
  return {
    ok: false,
    reason: `the media inputs would make a ${megabytes(bytes)} request body inline (limit ${megabytes(inlineBodyLimitBytes)}); set REELGATE_UPSTREAM_INPUT_URLS=true so the provider fetches them by URL`,
  };
}

/** Every media input of the task as the provider will receive it, in order, roles kept. */
export async function providerInputs(task: GenerationTask, delivery: MediaDelivery): Promise<ProviderInputs> {
  const encode = async (media: LocalMedia, index: number): Promise<ProviderMedia> => {
    const contentType = await contentTypeOf(media);
    const url =
      delivery.kind === 'url'
        ? await delivery.publish(media.path, storedInputKey(task.jobId, media.kind, index), contentType)
        : `data:${contentType};base64,${(await readFile(media.path)).toString('base64')}`;
    return { url, kind: media.kind, role: media.role };
  };
  return {
    images: await Promise.all(task.images.map(encode)),
    videos: await Promise.all(task.videos.map(encode)),
    audios: await Promise.all(task.audios.map(encode)),
  };
}

/** The MIME type the file's bytes say (inputs were checked when prepared, so one is always found). */
async function contentTypeOf(media: LocalMedia): Promise<string> {
  const handle = await open(media.path, 'r');
  try {
    const header = Buffer.alloc(sniffHeaderBytes);
    const { bytesRead } = await handle.read(header, 0, sniffHeaderBytes, 0);
    const sniffed = sniffMediaType(header.subarray(0, bytesRead));
    if (sniffed !== undefined) return sniffed.mime;
  } finally {
    await handle.close();
  }
  return { image: 'image/png', video: 'video/mp4', audio: 'audio/mpeg' }[media.kind];
}
