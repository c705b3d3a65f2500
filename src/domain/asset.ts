/**
 * An uploaded media file that a client can reference in later requests as `asset://<id>`. The
 * bytes live in the BlobStore under `blobKey`; the row holds what inspection found, so a request
 * that uses the asset needs no second probe to check it against a model's limits.
 */

/** The kinds of media a client may upload. */
export const assetKinds = ['image', 'video', 'audio'] as const;
export type AssetKind = (typeof assetKinds)[number];

export interface Asset {
  /** A UUIDv7, so that an owner's assets list in upload order by id alone. */
  readonly id: string;
  /** The API key that uploaded it; no other key can see, use or delete it. */
  readonly ownerKeyId: string;
  readonly blobKey: string;
  readonly kind: AssetKind;
  /** The container or image format inspection found (`png`, `mp4`, `wav`, …), never the file name's. */
  readonly format: string;
  /** The MIME type that matches `format`, as stored with the blob. */
  readonly contentType: string;
  readonly bytes: number;
  /** Pixel size for images and videos; null for audio. */
  readonly width: number | null;
  readonly height: number | null;
  /** Length for videos and audio; null for images. */
  readonly durationSeconds: number | null;
  /**
   * Everything else inspection reported (codecs, frame rate, which streams exist), kept as found
   * so that a newer inspector's fields survive without a schema change.
   */
  readonly facts: Readonly<Record<string, unknown>>;
  /** Unix epoch milliseconds. */
  readonly createdAt: number;
}
