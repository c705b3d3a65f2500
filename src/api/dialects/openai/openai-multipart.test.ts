import { describe, expect, it } from 'vitest';
import { imageTypeOf } from './openai-multipart.ts';

describe('image type from the first bytes', () => {
  it('recognises the image formats Seedance accepts, whatever the file is called', () => {
    const cases: [number[], string][] = [
      [[0xff, 0xd8, 0xff, 0xe0], 'image/jpeg'],
      [[0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], 'image/png'],
      [[0x52, 0x49, 0x46, 0x46, 1, 2, 3, 4, 0x57, 0x45, 0x42, 0x50], 'image/webp'],
      [[0x47, 0x49, 0x46, 0x38, 0x39, 0x61], 'image/gif'],
      [[0x42, 0x4d, 0, 0], 'image/bmp'],
      [[0x49, 0x49, 0x2a, 0x00], 'image/tiff'],
      [[0x4d, 0x4d, 0x00, 0x2a], 'image/tiff'],
    ];
    for (const [bytes, type] of cases) expect(imageTypeOf(Buffer.from(bytes))).toBe(type);
  });

  it('refuses anything else, including a RIFF that is not WebP and an empty file', () => {
    expect(imageTypeOf(Buffer.from('plain text'))).toBeUndefined();
    expect(
      imageTypeOf(Buffer.from([0x52, 0x49, 0x46, 0x46, 1, 2, 3, 4, 0x57, 0x41, 0x56, 0x45])),
    ).toBeUndefined();
    expect(imageTypeOf(Buffer.alloc(0))).toBeUndefined();
  });
});
