import { rm } from 'node:fs/promises';
import type { Logger } from 'pino';
import type { FieldIssue } from '../domain/app-error.ts';
import { AppError } from '../domain/app-error.ts';
import type { Asset, AssetKind } from '../domain/asset.ts';
import type { MediaFacts } from '../inputs/media-inspect.ts';
import { mediaLimitIssues } from '../inputs/media-limits.ts';
import { uuidv7 } from '../jobs/ids.ts';
import type { BlobStore } from '../storage/blob-store.ts';
import type { JobStore } from '../store/job-store.ts';

/** The JobStore's asset methods: all the asset service does with the database. */
export type AssetStore = Pick<JobStore, 'insertAsset' | 'getAsset' | 'listAssets' | 'deleteAsset'>;

/**
 * Probes a local file that must be `expectedKind` (ffprobe, pinned demuxer, timeout).
 *
 * @throws AppError `input_rejected` (message without a field) when the file is not a readable
 *   medium of that kind.
 */
export type InspectMedia = (
  file: string,
  expectedKind: AssetKind,
  signal?: AbortSignal,
) => Promise<MediaFacts>;

export interface AssetServiceOptions {
  readonly store: AssetStore;
  /** Where the assets' bytes live. */
  readonly blobStore: Pick<BlobStore, 'put' | 'delete'>;
  readonly inspectMedia: InspectMedia;
  /** Folder where uploads are received before {@link AssetService.upload}; created on demand. */
  readonly scratchDir: string;
  /** Told about a deleted asset whose blob could not be removed. */
  readonly logger: Pick<Logger, 'warn'>;
  readonly now?: () => number;
  readonly newId?: (now: number) => string;
}

/** A received upload, handed over to become an asset. */
export interface UploadCommand {
  readonly ownerKeyId: string;
  /** The received file (under the scratch folder). {@link AssetService.upload} removes it, whatever happens. */
  readonly file: string;
  /** The kind the file must be. */
  readonly kind: AssetKind;
  /** The name the client sent the file under (the form field), named by every refusal. */
  readonly field: string;
  /** Aborts the inspection, e.g. when the client went away. */
  readonly signal?: AbortSignal;
}

/** One page of an owner's assets, newest first. */
export interface AssetPage {
  readonly assets: Asset[];
  /** Whether assets follow the last one of this page. */
  readonly hasMore: boolean;
}

/**
 * Input rules about a request's whole set of media (how many, their total length, audio never
 * alone). One asset cannot break them; they are checked when a request references assets.
 */
const requestLevelRules: ReadonlySet<string> = new Set(['max_items', 'total_duration', 'audio_only']);

/**
 * Uploaded assets: turning a received file into an asset (inspection, input limits, blob, row),
 * and reading, listing and deleting them with ownership enforced. A key sees only its own assets,
 * and another key's asset id is "not found" exactly like an unknown id, so ids cannot be probed.
 */
export class AssetService {
  /** Folder where uploads are received before {@link upload}; created on demand. */
  readonly scratchDir: string;
  private readonly store: AssetStore;
  private readonly blobStore: AssetServiceOptions['blobStore'];
  private readonly inspectMedia: InspectMedia;
  private readonly logger: Pick<Logger, 'warn'>;
  private readonly now: () => number;
  private readonly newId: (now: number) => string;

  constructor(options: AssetServiceOptions) {
    this.store = options.store;
    this.blobStore = options.blobStore;
    this.inspectMedia = options.inspectMedia;
    this.scratchDir = options.scratchDir;
    this.logger = options.logger;
    this.now = options.now ?? Date.now;
    this.newId = options.newId ?? uuidv7;
  }

  /**
   * Makes a received file the owner's asset: inspects it as `kind`, checks the input limits that
   * one file can break, stores its bytes, then records it. The file is removed before this
   * settles, whether the upload succeeded or not; a refused upload leaves no blob and no row.
   *
   * @throws AppError `input_rejected` on `command.field` when the file is not a readable medium of
   *   that kind, or (with every issue) when it breaks input limits.
   */
  async upload(command: UploadCommand): Promise<Asset> {
    const { field } = command;
    try {
      const facts = await this.inspect(command);
      const issues = mediaLimitIssues([{ field, facts }]).filter(
        (issue) => !requestLevelRules.has(issue.rule),
      );
      if (issues.length > 0) throw rejected(field, issues);
      const createdAt = this.now();
      const id = this.newId(createdAt);
      const blobKey = `assets/${id}/asset.${facts.format.replace(/[^a-z0-9]/gi, '')}`;
      await this.blobStore.put(blobKey, { path: command.file }, facts.mime);
      const asset = assetOf({ id, ownerKeyId: command.ownerKeyId, blobKey, createdAt }, facts);
      try {
        await this.store.insertAsset(asset);
      } catch (error) {
        await this.blobStore.delete(blobKey);
        throw error;
      }
      return asset;
    } finally {
      await rm(command.file, { force: true });
    }
  }

  /** The asset if it exists and belongs to `ownerKeyId`; otherwise AppError('not_found'). */
  async get(id: string, ownerKeyId: string): Promise<Asset> {
    const asset = await this.store.getAsset(id);
    if (asset === undefined || asset.ownerKeyId !== ownerKeyId) throw notFound(id);
    return asset;
  }

  /**
   * A page of the owner's assets, newest first, after the asset `after` when given. An `after`
   * that is unknown or another key's gives an empty page.
   */
  async list(
    ownerKeyId: string,
    query: { readonly limit: number; readonly after?: string },
  ): Promise<AssetPage> {
    // One row more than the page tells whether another page exists, without a count.
    const rows = await this.store.listAssets({
      ownerKeyId,
      limit: query.limit + 1,
      ...(query.after === undefined ? {} : { after: query.after }),
    });
    return { assets: rows.slice(0, query.limit), hasMore: rows.length > query.limit };
  }

  /**
   * Deletes an asset of this owner: its row, then its blob. Afterwards the id is "not found". A
   * blob that cannot be removed is logged and left behind; the delete still succeeds.
   *
   * @throws AppError `not_found` when the asset is unknown, another key's, or deleted meanwhile.
   */
  async delete(id: string, ownerKeyId: string): Promise<Asset> {
    const asset = await this.get(id, ownerKeyId);
    // The row goes first: a blob left by a failure below is unreachable, a row without its blob is not.
    const deletion = await this.store.deleteAsset(asset.id);
    if (!deletion.deleted && deletion.usedBy !== undefined) {
      const job = deletion.usedBy;
      throw new AppError(
        'not_deletable',
        `asset ${asset.id} is used by job ${job.id}, which is ${job.status}; delete the asset once that job has finished or been cancelled`,
      );
    }
    // Another request deleted it since it was read.
    if (!deletion.deleted) throw notFound(asset.id);
    try {
      await this.blobStore.delete(asset.blobKey);
    } catch (error) {
      this.logger.warn({ err: error, blobKey: asset.blobKey }, 'deleted asset left its blob behind');
    }
    return asset;
  }

  /** Inspection's refusals name no field (callers prefix it); here the field is the one the file came in. */
  private async inspect({ file, kind, field, signal }: UploadCommand): Promise<MediaFacts> {
    try {
      return await this.inspectMedia(file, kind, signal);
    } catch (error) {
      if (!(error instanceof AppError) || error.code !== 'input_rejected') throw error;
      throw new AppError('input_rejected', `${field}: ${error.message}`, { field, cause: error });
    }
  }
}

/** The Asset a successful inspection describes; facts that have no column of their own go in `facts`. */
function assetOf(
  identity: Pick<Asset, 'id' | 'ownerKeyId' | 'blobKey' | 'createdAt'>,
  facts: MediaFacts,
): Asset {
  const { kind, format, mime, bytes, width, height, durationSeconds, ...rest } = facts;
  return {
    ...identity,
    kind,
    format,
    contentType: mime,
    bytes,
    width: width ?? null,
    height: height ?? null,
    durationSeconds: durationSeconds ?? null,
    facts: rest,
  };
}

function notFound(id: string): AppError {
  return new AppError('not_found', `no asset ${id}`);
}

/** Every broken input limit at once, named by the file's field. */
function rejected(field: string, issues: readonly FieldIssue[]): AppError {
  return new AppError('input_rejected', issues.map((issue) => issue.message).join('; '), { field, issues });
}
