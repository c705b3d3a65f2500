import type { FieldIssue } from '../domain/app-error.ts';
import { generationModeIssues } from '../domain/generation-mode.ts';
import type { GenerationRequest, MediaReference } from '../domain/generation-request.ts';
import { dataUriIssue } from './data-uri.ts';
import type { AllowList } from './allow-list.ts';
import { hostOf, literalHostRefusal, plainHttpTrustedBeforeDns } from './fetch-target.ts';
import type { MediaKind } from './input-preparer.ts';
import { mediaCountLimits } from './media-limits.ts';

export interface ReferenceCheckOptions {
  /** The operator's REELGATE_FETCH_ALLOW. */
  readonly allow: AllowList;
  /** REELGATE_ALLOW_HTTP_INPUTS. */
  readonly allowHttp: boolean;
  /** Whether an `asset://` id exists and belongs to the submitting key. */
  readonly ownsAsset: (id: string) => Promise<boolean>;
}

/**
 * The checks a submit can afford synchronously: counts, URL syntax and scheme, hosts written as a
 * forbidden IP address (in any spelling the URL parser normalises), the declared size of data:
 * URIs, asset ownership and the input-mode rules (`generationModeIssues`). Fetching and probing
 * happen later, in the job's preparing stage, so a slow host never holds an HTTP request open.
 */
export async function mediaReferenceIssues(
  request: GenerationRequest,
  options: ReferenceCheckOptions,
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
  // The mode rules every dialect shares: frame / reference exclusion, last frame needs a first
  // frame, audio never alone, web search only without media.
  issues.push(...generationModeIssues(request));
  return issues;
}

async function sourceIssue(
  source: string,
  field: string,
  kind: MediaKind,
  options: ReferenceCheckOptions,
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
  if (url.protocol === 'https:' || (url.protocol === 'http:' && plainHttpTrustedBeforeDns(url, options))) {
    // A host written as an IP address needs no DNS, so a forbidden one is refused right here; a
    // host name is resolved and checked when the job is prepared.
    const refusal = literalHostRefusal(hostOf(url), options.allow);
    return refusal === undefined
      ? undefined
      : { field, rule: 'forbidden_address', message: `${field}: URL may not be fetched: ${refusal}` };
  }
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
