import { open, rm } from 'node:fs/promises';
import { AppError, type FieldIssue } from '../domain/app-error.ts';
import { mediaByteLimits, mediaLimits } from './media-limits.ts';
import { kindDescriptions, type MediaKind } from './media-sniff.ts';

/** The header of a base64 data: URI, read without touching its payload. */
export interface ParsedDataUri {
  /** The declared media type, lower-cased and without parameters: `image/png`. */
  readonly mime: string;
  /** Characters after the comma. */
  readonly base64Length: number;
  /** The decoded size: exact when the payload is valid base64, which only decoding proves. */
  readonly decodedBytesEstimate: number;
}

/** A header longer than this is not a media type plus `;base64`; looking further would scan the payload. */
const maximumHeaderLength = 256;
const mimePattern = /^[a-z0-9][a-z0-9!#$&^_.+-]*\/[a-z0-9][a-z0-9!#$&^_.+-]*$/;
const parameterPattern = /^[a-z0-9!#$&^_.+-]+=[^;,\s]*$/;
/** Base64 characters decoded per write: a multiple of 4, so each chunk decodes on its own. */
const chunkCharacters = 1024 * 1024;
const invalidBase64Character = /[^A-Za-z0-9+/]/;
const mebibyte = 1024 * 1024;

/**
 * Reads the header of a `data:<mime>[;<parameter>=<value>…];base64,<payload>` URI in constant time:
 * no decoding and no scan of the payload, so it suits submit-time checks of multi-megabyte bodies.
 * Returns `undefined` for anything else: no media type, a data: URI that is not base64 (URL-encoded
 * text), or a payload length that no base64 text has.
 */
export function parseDataUri(uri: string): ParsedDataUri | undefined {
  if (uri.slice(0, 5).toLowerCase() !== 'data:') return undefined;
  const comma = uri.indexOf(',');
  if (comma < 0 || comma > maximumHeaderLength) return undefined;
  const parts = uri.slice(5, comma).toLowerCase().split(';');
  const mime = parts[0] ?? '';
  if (!mimePattern.test(mime) || parts.at(-1) !== 'base64' || parts.length < 2) return undefined;
  if (!parts.slice(1, -1).every((parameter) => parameterPattern.test(parameter))) return undefined;
  const base64Length = uri.length - comma - 1;
  const padding = uri.endsWith('==') ? 2 : uri.endsWith('=') ? 1 : 0;
  // Unpadded base64 never leaves one character over; padded base64 is whole groups of four.
  if (base64Length % 4 === 1 || (padding > 0 && base64Length % 4 !== 0)) return undefined;
  if (base64Length <= padding) return undefined;
  return { mime, base64Length, decodedBytesEstimate: Math.floor((base64Length * 3) / 4) - padding };
}

/**
 * The submit-time problem with a data: URI given for a media input, if any: its syntax, whether the
 * declared media type is of the input's kind (`image/…` for an image), and whether its decoded
 * size fits the kind's cap ({@link mediaByteLimits}). The bytes themselves are judged later, when
 * the input is written to disk and inspected.
 */
export function dataUriIssue(uri: string, field: string, kind: MediaKind): FieldIssue | undefined {
  const parsed = parseDataUri(uri);
  if (parsed === undefined) {
    return {
      field,
      rule: 'data_uri',
      message: `${field}: a data: URI must be data:<media type>;base64,<base64 data>`,
    };
  }
  const family = parsed.mime.split('/')[0];
  if (family !== kind) {
    return {
      field,
      rule: 'format',
      message: `${field}: the data: URI declares ${parsed.mime} where ${kindDescriptions[kind]} was expected`,
    };
  }
  if (parsed.decodedBytesEstimate > mediaByteLimits[kind]) {
    return {
      field,
      rule: 'max_bytes',
      message:
        `${field}: the data: URI holds ${megabytes(parsed.decodedBytesEstimate)} MB; ` +
        `${kind} inputs must be ${mediaLimits[kind].sizeLimitText}`,
    };
  }
  return undefined;
}

/**
 * Decodes a base64 data: URI into `destination`, a chunk at a time, so no second copy of the
 * payload is held beside the string. The size is checked against `maxBytes` before anything is
 * written, and every chunk is checked for characters outside the base64 alphabet (Node's decoder
 * would skip them silently). Returns the bytes written. Rejects with `input_rejected` (message
 * without a field) and removes the partial file when the URI is not valid.
 */
export async function writeDataUriToFile(
  uri: string,
  destination: string,
  maxBytes: number,
): Promise<number> {
  const parsed = parseDataUri(uri);
  if (parsed === undefined) {
    throw new AppError('input_rejected', 'not a base64 data: URI (data:<media type>;base64,<data>)');
  }
  if (parsed.decodedBytesEstimate > maxBytes) {
    throw new AppError(
      'input_rejected',
      `the data: URI holds ${megabytes(parsed.decodedBytesEstimate)} MB, over the limit of ${megabytes(maxBytes)} MB`,
    );
  }
  const start = uri.length - parsed.base64Length;
  const end = uri.length - (uri.endsWith('==') ? 2 : uri.endsWith('=') ? 1 : 0);
  const handle = await open(destination, 'w');
  let written = 0;
  try {
    for (let offset = start; offset < end; offset += chunkCharacters) {
      const chunk = uri.slice(offset, Math.min(offset + chunkCharacters, end));
      const bad = invalidBase64Character.exec(chunk);
      if (bad !== null) {
        const position = offset - start + bad.index;
        throw new AppError(
          'input_rejected',
          `the data: URI is not valid base64 (character ${position} is invalid)`,
        );
      }
      const bytes = Buffer.from(chunk, 'base64');
      // A write may take only part of the buffer; go on from where it stopped.
      for (let done = 0; done < bytes.length;) {
        done += (await handle.write(bytes, done)).bytesWritten;
      }
      written += bytes.length;
    }
  } catch (error) {
    await handle.close();
    await rm(destination, { force: true });
    throw error;
  }
  await handle.close();
  return written;
}

/** Rounded up, so a size just over a cap never reads as equal to it. */
function megabytes(bytes: number): string {
  return (Math.ceil((bytes / mebibyte) * 10) / 10).toFixed(1);
}
