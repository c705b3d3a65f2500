import { createWriteStream } from 'node:fs';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { expect } from 'vitest';

/** Streams a response's body into `file`. */
export async function saveBody(response: Response, file: string): Promise<void> {
  await pipeline(Readable.fromWeb(response.body as never), createWriteStream(file));
}

/**
 * Downloads `url` into `file` (returned), expecting a 200 and, when `contentType` is given, that
 * content type.
 */
export async function downloadFile(url: string, file: string, contentType?: string): Promise<string> {
  const response = await fetch(url);
  expect(response.status).toBe(200);
  if (contentType !== undefined) expect(response.headers.get('content-type')).toBe(contentType);
  await saveBody(response, file);
  return file;
}
