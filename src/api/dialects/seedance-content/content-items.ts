import { z } from 'zod';
import type { FieldIssue } from '../../../domain/app-error.ts';
import { parseWith } from './seedance-fields.ts';

/**
 * The Seedance `content[]` array (seed 004, reference §4.1): text items carry the prompt;
 * `image_url` / `video_url` / `audio_url` items carry media with an optional `role`. This module
 * only reads the items; which role each medium plays is decided in `media-roles.ts`.
 */

export type MediaKind = 'image' | 'video' | 'audio';

/** A text item: its text and the path of that text (`content[0].text`). */
export interface ContentText {
  readonly text: string;
  readonly path: string;
}

/** A media item as given: its URL, the role the client named (if any) and the item's path. */
export interface ContentMedia {
  readonly kind: MediaKind;
  readonly source: string;
  readonly role: string | undefined;
  /** The item's path, e.g. `content[2]`; its role is at `${path}.role`. */
  readonly path: string;
  /** Where the URL itself is (`content[2].image_url.url`): what problems with the media name. */
  readonly sourcePath: string;
}

/** The items read from `content[]`, and the issues of the items that could not be read. */
export interface ParsedContent {
  readonly texts: readonly ContentText[];
  readonly media: readonly ContentMedia[];
  readonly issues: readonly FieldIssue[];
}

const itemTypes = {
  image_url: 'image',
  video_url: 'video',
  audio_url: 'audio',
} as const satisfies Record<string, MediaKind>;

const role = z.string({ error: 'must be a string' }).nullish();

const textItem = z.strictObject({
  type: z.literal('text'),
  text: z.string({ error: 'must be a string' }),
});

const url = z.strictObject(
  { url: z.string({ error: 'must be a string' }) },
  { error: 'must be an object such as {"url": "https://…"}' },
);

/** Each media item type, reduced to its URL and role. */
const mediaItems = {
  image_url: z
    .strictObject({ type: z.literal('image_url'), image_url: url, role })
    .transform((item) => ({ url: item.image_url.url, role: item.role ?? undefined })),
  video_url: z
    .strictObject({ type: z.literal('video_url'), video_url: url, role })
    .transform((item) => ({ url: item.video_url.url, role: item.role ?? undefined })),
  audio_url: z
    .strictObject({ type: z.literal('audio_url'), audio_url: url, role })
    .transform((item) => ({ url: item.audio_url.url, role: item.role ?? undefined })),
};

/** Reads every item of `content`, reporting each broken one by its path under `path`. */
export function parseContentItems(items: readonly unknown[], path: string): ParsedContent {
  const texts: ContentText[] = [];
  const media: ContentMedia[] = [];
  const issues: FieldIssue[] = [];
  items.forEach((item, index) => {
    const itemPath = `${path}[${index}]`;
    if (typeof item !== 'object' || item === null || Array.isArray(item)) {
      issues.push({
        field: itemPath,
        rule: 'type',
        message: `${itemPath} must be an object such as {"type": "text", "text": "…"}`,
      });
      return;
    }
    const type = (item as Record<string, unknown>)['type'];
    if (type === 'text') {
      const parsed = parseWith(textItem, item, itemPath);
      issues.push(...parsed.issues);
      if (parsed.output !== undefined) texts.push({ text: parsed.output.text, path: `${itemPath}.text` });
      return;
    }
    if (type === 'image_url' || type === 'video_url' || type === 'audio_url') {
      const parsed = parseWith(mediaItems[type], item, itemPath);
      issues.push(...parsed.issues);
      if (parsed.output === undefined) return;
      const { url: source, role: given } = parsed.output;
      const sourcePath = `${itemPath}.${type}.url`;
      const sourceIssue = mediaSourceIssue(source, sourcePath, itemTypes[type]);
      if (sourceIssue !== undefined) issues.push(sourceIssue);
      media.push({ kind: itemTypes[type], source, role: given, path: itemPath, sourcePath });
      return;
    }
    const typePath = `${itemPath}.type`;
    issues.push(
      type === undefined
        ? { field: typePath, rule: 'required', message: `${typePath} is required` }
        : {
            field: typePath,
            rule: 'enum',
            message: `${typePath} must be one of text, image_url, video_url, audio_url, got ${JSON.stringify(type)}`,
          },
    );
  });
  return { texts, media, issues };
}

/**
 * What a media URL may be (seed 004): an http(s) URL, a base64 `data:` URI (images and audio),
 * or `asset://<ID>`. Fetching and checking the bytes happens when the job is prepared (`src/inputs/`).
 */
export function mediaSourceIssue(url: string, path: string, kind: MediaKind): FieldIssue | undefined {
  const trimmed = url.trim();
  if (/^asset:\/\/\S+$/.test(trimmed)) return undefined;
  if (/^data:/i.test(trimmed)) {
    if (kind === 'video') {
      return {
        field: path,
        rule: 'format',
        message: `${path}: videos must be given as an http(s) URL or asset://<ID>, not a data: URI`,
      };
    }
    return /^data:[\w.+-]+\/[\w.+-]+(;[\w-]+=[^;,]*)*;base64,/i.test(trimmed)
      ? undefined
      : {
          field: path,
          rule: 'format',
          message: `${path} must be a base64 data URI such as data:image/png;base64,…`,
        };
  }
  try {
    const parsed = new URL(trimmed);
    if (parsed.protocol === 'http:' || parsed.protocol === 'https:') return undefined;
  } catch {
    // Falls through to the issue below.
  }
  return {
    field: path,
    rule: 'format',
    message: `${path} must be an http(s) URL, a base64 data: URI or asset://<ID>`,
  };
}
