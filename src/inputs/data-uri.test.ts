import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveFfmpegBinaries } from '../media/ffmpeg-binaries.ts';
import { dataUriIssue, parseDataUri, writeDataUriToFile } from './data-uri.ts';
import { inspectMedia } from './media-inspect.ts';
import { mediaLimitIssues } from './media-limits.ts';

const run = promisify(execFile);
const binaries = resolveFfmpegBinaries({ searchPath: process.env['PATH'] });
const mebibyte = 1024 * 1024;

let folder: string;
let pngDataUri: string;
let pngBytes: Buffer;

beforeAll(async () => {
  folder = await mkdtemp(path.join(tmpdir(), 'reelgate-data-uri-'));
  const png = path.join(folder, 'source.png');
  await run(binaries.ffmpeg, [
    '-v',
    'error',
    '-f',
    'lavfi',
    '-i',
    'testsrc2=size=640x480:rate=1',
    '-frames:v',
    '1',
    png,
  ]);
  pngBytes = await readFile(png);
  pngDataUri = `data:image/png;base64,${pngBytes.toString('base64')}`;
});

afterAll(async () => {
  await rm(folder, { recursive: true, force: true });
});

/** A syntactically valid data: URI whose payload decodes to exactly `bytes` zero bytes. */
function zeroUri(mime: string, bytes: number): string {
  const whole = Math.floor(bytes / 3);
  const rest = bytes % 3;
  return `data:${mime};base64,${'A'.repeat(whole * 4)}${rest === 0 ? '' : rest === 1 ? 'AA==' : 'AAA='}`;
}

describe('parseDataUri', () => {
  it('reads the media type and the exact decoded size without decoding', () => {
    expect(parseDataUri(pngDataUri)).toEqual({
      mime: 'image/png',
      base64Length: pngDataUri.length - 'data:image/png;base64,'.length,
      decodedBytesEstimate: pngBytes.length,
    });
    expect(parseDataUri('data:audio/mpeg;base64,AAAA')?.decodedBytesEstimate).toBe(3);
    expect(parseDataUri('data:audio/mpeg;base64,AAA=')?.decodedBytesEstimate).toBe(2);
    expect(parseDataUri('data:audio/mpeg;base64,AA==')?.decodedBytesEstimate).toBe(1);
    expect(parseDataUri('data:audio/mpeg;base64,AAA')?.decodedBytesEstimate).toBe(2);
    expect(parseDataUri('data:audio/mpeg;base64,AA')?.decodedBytesEstimate).toBe(1);
  });

  it('lower-cases the media type and allows parameters before ;base64', () => {
    expect(parseDataUri('DATA:Image/JPEG;name=photo.jpg;BASE64,/9j/')).toMatchObject({ mime: 'image/jpeg' });
  });

  it.each([
    ['a URL', 'https://example.com/a.png'],
    ['a data: URI that is not base64', 'data:image/png,%89PNG'],
    ['no media type', 'data:;base64,AAAA'],
    ['a media type without a subtype', 'data:image;base64,AAAA'],
    ['base64 that is not the last parameter', 'data:image/png;base64;x=y,AAAA'],
    ['no comma', 'data:image/png;base64'],
    ['an empty payload', 'data:image/png;base64,'],
    ['only padding', 'data:image/png;base64,=='],
    ['a length no base64 text has', 'data:image/png;base64,AAAAA'],
    ['padding in an incomplete group', 'data:image/png;base64,AAAAA=='],
    ['a header longer than a media type', `data:image/png;${'x=y;'.repeat(100)}base64,AAAA`],
  ])('refuses %s', (_name, uri) => {
    expect(parseDataUri(uri)).toBeUndefined();
  });
});

describe('dataUriIssue', () => {
  it('accepts a small valid image', () => {
    expect(dataUriIssue(pngDataUri, 'input.images[0]', 'image')).toBeUndefined();
  });

  it('refuses a declared media type of another kind', () => {
    expect(dataUriIssue(pngDataUri, 'input.videos[0]', 'video')).toEqual({
      field: 'input.videos[0]',
      rule: 'format',
      message: 'input.videos[0]: the data: URI declares image/png where a video was expected',
    });
    expect(dataUriIssue('data:text/plain;base64,aGVsbG8=', 'input.audios[1]', 'audio')).toMatchObject({
      rule: 'format',
      message: 'input.audios[1]: the data: URI declares text/plain where an audio file was expected',
    });
  });

  it('refuses a data: URI that is not base64', () => {
    expect(dataUriIssue('data:image/png,rawbytes', 'images[0]', 'image')).toEqual({
      field: 'images[0]',
      rule: 'data_uri',
      message: 'images[0]: a data: URI must be data:<media type>;base64,<base64 data>',
    });
  });

  it('refuses a payload over the kind’s cap from its length alone (15 MB for audio)', () => {
    const atCap = zeroUri('audio/wav', 15 * mebibyte);
    expect(dataUriIssue(atCap, 'audios[0]', 'audio')).toBeUndefined();
    const overCap = zeroUri('audio/wav', 15 * mebibyte + 1);
    expect(dataUriIssue(overCap, 'audios[0]', 'audio')).toEqual({
      field: 'audios[0]',
      rule: 'max_bytes',
      message: 'audios[0]: the data: URI holds 15.1 MB; audio inputs must be at most 15 MB',
    });
  });

  it('is cheap on a big payload: no decoding', () => {
    const big = zeroUri('audio/wav', 14 * mebibyte);
    // The first look flattens the concatenated test string once; that copy is the test's, not ours.
    dataUriIssue(big, 'audios[0]', 'audio');
    const started = performance.now();
    for (let round = 0; round < 100; round += 1) dataUriIssue(big, 'audios[0]', 'audio');
    expect(performance.now() - started).toBeLessThan(50);
  });
});

describe('writeDataUriToFile', () => {
  it('writes a real PNG that then inspects as a PNG inside the limits', async () => {
    const file = path.join(folder, 'image-0');
    expect(await writeDataUriToFile(pngDataUri, file, 30 * mebibyte)).toBe(pngBytes.length);
    expect((await readFile(file)).equals(pngBytes)).toBe(true);
    const facts = await inspectMedia(binaries, file, { expectedKind: 'image' });
    expect(facts).toMatchObject({
      kind: 'image',
      format: 'png',
      width: 640,
      height: 480,
      bytes: pngBytes.length,
    });
    expect(mediaLimitIssues([{ field: 'images[0]', facts }])).toEqual([]);
  });

  it.each([0, 1, 2])('decodes across chunks exactly (payload length ≡ %i mod 3)', async (remainder) => {
    const bytes = randomBytes(3 * mebibyte + remainder);
    const file = path.join(folder, `random-${remainder}`);
    const base64 = bytes.toString('base64');
    expect(
      await writeDataUriToFile(`data:application/octet-stream;base64,${base64}`, file, 4 * mebibyte),
    ).toBe(bytes.length);
    expect((await readFile(file)).equals(bytes)).toBe(true);
    // Unpadded base64 decodes to the same bytes.
    const unpadded = `data:application/octet-stream;base64,${base64.replace(/=+$/, '')}`;
    await writeDataUriToFile(unpadded, file, 4 * mebibyte);
    expect((await readFile(file)).equals(bytes)).toBe(true);
  });

  it('refuses a character outside the base64 alphabet, even in a late chunk, and leaves no file', async () => {
    const file = path.join(folder, 'bad-alphabet');
    const payload = `${'A'.repeat(2 * mebibyte)}AB-_${'A'.repeat(4096)}`;
    await expect(
      writeDataUriToFile(`data:image/png;base64,${payload}`, file, 30 * mebibyte),
    ).rejects.toMatchObject({
      code: 'input_rejected',
      message: `the data: URI is not valid base64 (character ${2 * mebibyte + 2} is invalid)`,
    });
    await expect(stat(file)).rejects.toMatchObject({ code: 'ENOENT' });
    await expect(writeDataUriToFile('data:image/png;base64,AA=A', file, 100)).rejects.toMatchObject({
      code: 'input_rejected',
    });
    await expect(writeDataUriToFile('data:image/png;base64,AA AA', file, 100)).rejects.toMatchObject({
      code: 'input_rejected',
    });
  });

  it('refuses a payload over maxBytes before writing anything', async () => {
    const file = path.join(folder, 'too-big');
    await expect(
      writeDataUriToFile(zeroUri('audio/wav', 2 * mebibyte), file, mebibyte),
    ).rejects.toMatchObject({
      code: 'input_rejected',
      message: 'the data: URI holds 2.0 MB, over the limit of 1.0 MB',
    });
    await expect(stat(file)).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('refuses a data: URI that is not base64', async () => {
    await expect(
      writeDataUriToFile('data:image/png,%89PNG', path.join(folder, 'plain'), 100),
    ).rejects.toMatchObject({
      code: 'input_rejected',
      message: 'not a base64 data: URI (data:<media type>;base64,<data>)',
    });
  });
});
