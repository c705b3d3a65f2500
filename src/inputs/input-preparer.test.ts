import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { sampleJob } from '../../test/support/job-fixtures.ts';
import { textRequest } from '../../test/support/text-request.ts';
import { AppError } from '../domain/app-error.ts';
import type { MediaReference } from '../domain/generation-request.ts';
import { LocalBlobStore } from '../storage/local-blob-store.ts';
import { UrlSigner } from '../storage/url-signer.ts';
import { parseAllowList } from './allow-list.ts';
import { InputPreparer } from './input-preparer.ts';
import type { MediaFacts } from './media-inspect.ts';

/** A 640×480 PNG as inspect would describe it; the bytes themselves are never read here. */
const pictureFacts: MediaFacts = {
  kind: 'image',
  format: 'png',
  mime: 'image/png',
  bytes: 4,
  width: 640,
  height: 480,
  videoCodec: 'png',
  hasAudio: false,
  hasVideo: false,
};

// Nothing listens on port 1: fetching it fails at once with a connection error (retryable).
const refusedPort = 'http://127.0.0.1:1/a.png';
const goodData = 'data:image/png;base64,AAAA';
const badData = 'data:image/png;base64,BBBB';

let workdir: string;
let preparer: InputPreparer;

beforeAll(async () => {
  workdir = await mkdtemp(path.join(tmpdir(), 'reelgate-preparer-'));
  preparer = new InputPreparer({
    blobStore: new LocalBlobStore({
      root: path.join(workdir, 'blobs'),
      publicUrl: 'http://localhost',
      signer: new UrlSigner('0123456789abcdef0123456789abcdef'),
    }),
    allow: parseAllowList('127.0.0.1'),
    allowHttp: false,
    getAsset: () => Promise.resolve(undefined),
    inspect: async (file) => {
      if ((await readFile(file)).equals(Buffer.from('BBBB', 'base64'))) {
        throw new AppError('input_rejected', 'text where an image was expected');
      }
      return pictureFacts;
    },
  });
});

let jobCount = 0;

/** Prepares a fresh job (its own id, so nothing is reused from an earlier one) with these images. */
function prepare(images: MediaReference[]): Promise<unknown> {
  jobCount += 1;
  const job = sampleJob({ id: `job-${jobCount}`, request: textRequest({ images }) });
  return preparer.prepare(job, path.join(workdir, job.id), new AbortController().signal);
}

describe('InputPreparer failures', () => {
  it('keep the code of the first problem, list every problem, and name the first field', async () => {
    await expect(
      prepare([
        { source: refusedPort, field: 'input.image_urls[0]' },
        { source: goodData, field: 'input.image_urls[1]' },
        { source: badData, field: 'input.image_urls[2]' },
      ]),
    ).rejects.toMatchObject({
      code: 'input_unreachable',
      field: 'input.image_urls[0]',
      retryable: false,
      message: expect.stringMatching(
        /^input\.image_urls\[0\]: URL could not be fetched: the connection failed \(ECONNREFUSED\); input\.image_urls\[2\]: text where an image was expected$/,
      ) as unknown,
    });
  });

  it('are retryable only when every problem is', async () => {
    await expect(prepare([{ source: refusedPort, field: 'images[0]' }])).rejects.toMatchObject({
      code: 'input_unreachable',
      retryable: true,
    });
    await expect(prepare([{ source: badData }])).rejects.toMatchObject({
      code: 'input_rejected',
      field: 'images[0]',
      retryable: false,
    });
  });
});
