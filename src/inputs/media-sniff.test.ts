import { describe, expect, it } from 'vitest';
import { describeUnrecognizedMedia, sniffMediaType } from './media-sniff.ts';

/** A header from byte values and Latin-1 text pieces, padded to 64 bytes like a real read. */
function header(...pieces: (string | number[] | Buffer)[]): Buffer {
  const bytes = Buffer.concat(
    pieces.map((piece) =>
      typeof piece === 'string'
        ? Buffer.from(piece, 'latin1')
        : Buffer.isBuffer(piece)
          ? piece
          : Buffer.from(piece),
    ),
  );
  return Buffer.concat([bytes, Buffer.alloc(Math.max(0, 64 - bytes.length))]);
}

/** A 32-bit big-endian box size followed by the box type. */
function box(size: number, type: string): Buffer {
  const buffer = Buffer.alloc(8);
  buffer.writeUInt32BE(size, 0);
  buffer.write(type, 4, 'latin1');
  return buffer;
}

function bitmapHeader(dibSize: number): Buffer {
  const buffer = Buffer.alloc(64);
  buffer.write('BM', 0, 'latin1');
  buffer.writeUInt32LE(921654, 2);
  buffer.writeUInt32LE(54, 10);
  buffer.writeUInt32LE(dibSize, 14);
  return buffer;
}

describe('sniffMediaType', () => {
  it.each([
    ['JPEG', header([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10], 'JFIF'), 'image', 'jpeg', 'image/jpeg'],
    ['PNG', header([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), 'image', 'png', 'image/png'],
    ['WebP', header('RIFF', [0x8c, 0x23, 0, 0], 'WEBPVP8 '), 'image', 'webp', 'image/webp'],
    ['BMP', bitmapHeader(40), 'image', 'bmp', 'image/bmp'],
    ['BMP v5', bitmapHeader(124), 'image', 'bmp', 'image/bmp'],
    ['little-endian TIFF', header([0x49, 0x49, 0x2a, 0x00]), 'image', 'tiff', 'image/tiff'],
    ['big-endian TIFF', header([0x4d, 0x4d, 0x00, 0x2a]), 'image', 'tiff', 'image/tiff'],
    ['GIF87a', header('GIF87a'), 'image', 'gif', 'image/gif'],
    ['GIF89a', header('GIF89a'), 'image', 'gif', 'image/gif'],
    ['MP4 (isom)', header(box(32, 'ftyp'), 'isom'), 'video', 'mp4', 'video/mp4'],
    ['MP4 (mp42)', header(box(24, 'ftyp'), 'mp42'), 'video', 'mp4', 'video/mp4'],
    ['QuickTime (qt brand)', header(box(20, 'ftyp'), 'qt  '), 'video', 'mov', 'video/quicktime'],
    ['QuickTime without ftyp', header(box(1024, 'moov')), 'video', 'mov', 'video/quicktime'],
    ['WAV', header('RIFF', [0xde, 0x09, 0x04, 0x00], 'WAVEfmt '), 'audio', 'wav', 'audio/wav'],
    ['MP3 with ID3v2.4', header('ID3', [4, 0, 0, 0, 0, 0x23, 0x7f]), 'audio', 'mp3', 'audio/mpeg'],
    ['MP3 frame, MPEG-1', header([0xff, 0xfb, 0x90, 0x64]), 'audio', 'mp3', 'audio/mpeg'],
    ['MP3 frame, MPEG-2', header([0xff, 0xf3, 0x50, 0xc4]), 'audio', 'mp3', 'audio/mpeg'],
    ['MP3 frame, MPEG-2.5', header([0xff, 0xe3, 0x50, 0xc4]), 'audio', 'mp3', 'audio/mpeg'],
  ])('recognises %s', (_name, bytes, kind, format, mime) => {
    expect(sniffMediaType(bytes)).toEqual({ kind, format, mime });
  });

  it.each([
    ['text', header('Hello, this is a plain text file.\n')],
    ['an HLS playlist', header('#EXTM3U\n#EXT-X-TARGETDURATION:3\n')],
    ['an ffconcat list', header('ffconcat version 1.0\nfile clip.mp4\n')],
    ['HTML', header('<!doctype html><html><body>')],
    ['a ZIP archive', header([0x50, 0x4b, 0x03, 0x04, 0x14, 0x00])],
    ['text that starts with "BM"', header('BMX is a sport with bicycles and ramps.')],
    ['a HEIC photo (ISO-BMFF, not a video)', header(box(24, 'ftyp'), 'heic')],
    ['an AVIF image', header(box(28, 'ftyp'), 'avif')],
    ['an M4A audio file (not an accepted audio format)', header(box(32, 'ftyp'), 'M4A ')],
    ['ADTS AAC (sync word but layer bits 00)', header([0xff, 0xf1, 0x50, 0x80])],
    ['an MPEG layer II frame', header([0xff, 0xfd, 0x90, 0x64])],
    ['a layer III frame with the forbidden bitrate index', header([0xff, 0xfb, 0xf0, 0x64])],
    ['a layer III frame with a free-format bitrate', header([0xff, 0xfb, 0x00, 0x64])],
    ['a layer III frame with the reserved sample rate', header([0xff, 0xfb, 0x9c, 0x64])],
    ['a frame with the reserved MPEG version', header([0xff, 0xeb, 0x90, 0x64])],
    ['an ID3 tag with a bad size byte', header('ID3', [4, 0, 0, 0x80, 0, 0, 0])],
    ['FLAC', header('fLaC')],
    ['Ogg', header('OggS')],
    ['a RIFF AVI', header('RIFF', [0, 0, 0, 0], 'AVI LIST')],
    ['an ftyp box too small to hold a brand', header(box(4, 'ftyp'), 'isom')],
  ])('refuses %s', (_name, bytes) => {
    expect(sniffMediaType(bytes)).toBeUndefined();
  });

  it('decides from short and empty headers without reading past them', () => {
    expect(sniffMediaType(Buffer.alloc(0))).toBeUndefined();
    expect(sniffMediaType(Buffer.from([0xff]))).toBeUndefined();
    expect(sniffMediaType(Buffer.from('RIFF', 'latin1'))).toBeUndefined();
    expect(sniffMediaType(Buffer.from([0xff, 0xd8, 0xff]))?.format).toBe('jpeg');
    expect(sniffMediaType(Buffer.from('BM', 'latin1'))).toBeUndefined();
  });
});

describe('describeUnrecognizedMedia', () => {
  it.each([
    [Buffer.alloc(0), 'an empty file'],
    [header('#EXTM3U\n'), 'an HLS playlist'],
    [Buffer.from('\xEF\xBB\xBF#EXTM3U\n', 'latin1'), 'an HLS playlist'],
    [Buffer.from('ffconcat version 1.0\n'), 'an ffconcat list'],
    [Buffer.from('  <html>'), 'HTML or XML'],
    [Buffer.from([0x50, 0x4b, 0x03, 0x04, 0x14, 0x00]), 'a ZIP archive'],
    [Buffer.from('just some notes\r\n\tindented'), 'text'],
    [Buffer.from([0x00, 0x01, 0x02, 0x03]), 'an unrecognised binary file'],
  ])('describes %j as %s', (bytes, description) => {
    expect(describeUnrecognizedMedia(bytes)).toBe(description);
  });
});
