import type { FieldIssue } from '../domain/app-error.ts';
import type { GenerationRequest, MediaReference } from '../domain/generation-request.ts';
import { dataUriIssue } from './data-uri.ts';
import type { MediaKind } from './input-preparer.ts';
import { mediaCountLimits } from './media-limits.ts';

/**
 * The checks a submit can afford synchronously: counts, URL syntax and scheme, and the declared
 * size of data: URIs. Fetching and probing happen later, in the job's preparing stage, so a slow
 * host never holds an HTTP request open.
 *
 * @param httpAllowed whether a plain http:// URL may be fetched (operator setting or allow-listed host).
 * @param ownsAsset whether an `asset://` id exists and belongs to the submitting key.
 */
export async function mediaReferenceIssues(
  request: GenerationRequest,
  options: {
    readonly httpAllowed: (url: URL) => boolean;
    readonly ownsAsset: (id: string) => Promise<boolean>;
  },
): Promise<FieldIssue[]> {
  const issues: FieldIssue[] = [];
  const groups: [MediaKind, string, readonly MediaReference[]][] = [
    ['image', 'images', request.images],
    ['video', 'videos', request.videos],
    ['audio', 'audios', request.audios],
  ];
  for (const [kind, name, references] of groups) {
    const limit = mediaCountLimits[kind];
    if (references.length > limit) {
      issues.push({
        field: name,
        rule: 'max_items',
        message: `${name}: at most ${limit} ${kind} inputs, got ${references.length}`,
      });
    }
    for (const [index, reference] of references.entries()) {
      const field = reference.field ?? `${name}[${index}]`;
      const issue = await sourceIssue(reference.source, field, kind, options);
      if (issue !== undefined) issues.push(issue);
    }
  }
  if (request.audios.length > 0 && request.images.length === 0 && request.videos.length === 0) {
    const field = request.audios[0]?.field ?? 'audios[0]';
    issues.push({
      field,
      rule: 'audio_only',
      message: `${field}: audio cannot be the only media input; add a reference image or video`,
    });
  }
  return issues;
}

async function sourceIssue(
  source: string,
  field: string,
  kind: MediaKind,
  options: {
    readonly httpAllowed: (url: URL) => boolean;
    readonly ownsAsset: (id: string) => Promise<boolean>;
  },
): Promise<FieldIssue | undefined> {
  if (source.startsWith('data:')) return dataUriIssue(source, field, kind);
  if (source.startsWith('asset://')) {
    const id = source.slice('asset://'.length);
    return (await options.ownsAsset(id))
      ? undefined
      : { field, rule: 'not_found', message: `${field}: asset ${source} not found` };
  }
  let url: URL;
  try {
    url = new URL(source);
  } catch {
    return {
      field,
      rule: 'format',
      message: `${field} must be an https:// URL, a data: URI or an asset:// id`,
    };
  }
  if (url.protocol === 'https:' || (url.protocol === 'http:' && options.httpAllowed(url))) return undefined;
  if (url.protocol === 'http:') {
    return {
      field,
      rule: 'scheme',
      message: `${field}: plain http:// URLs are not accepted here; use https://`,
    };
  }
  return {
    field,
    rule: 'scheme',
    message: `${field} must be an https:// URL, a data: URI or an asset:// id`,
  };
}
