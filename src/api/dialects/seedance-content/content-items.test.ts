import { describe, expect, it } from 'vitest';
import { mediaSourceIssue, parseContentItems } from './content-items.ts';

describe('parseContentItems', () => {
  it('reads text and media items with their paths and roles', () => {
    const parsed = parseContentItems(
      [
        { type: 'text', text: 'Extend the video' },
        {
          type: 'image_url',
          image_url: { url: 'https://example.com/character.jpg' },
          role: 'reference_image',
        },
        { type: 'video_url', video_url: { url: 'asset://clip-1' }, role: 'reference_video' },
        { type: 'audio_url', audio_url: { url: 'data:audio/mpeg;base64,AAAA' } },
      ],
      'content',
    );
    expect(parsed.issues).toEqual([]);
    expect(parsed.texts).toEqual([{ text: 'Extend the video', path: 'content[0].text' }]);
    expect(parsed.media).toEqual([
      {
        kind: 'image',
        source: 'https://example.com/character.jpg',
        role: 'reference_image',
        path: 'content[1]',
        sourcePath: 'content[1].image_url.url',
      },
      {
        kind: 'video',
        source: 'asset://clip-1',
        role: 'reference_video',
        path: 'content[2]',
        sourcePath: 'content[2].video_url.url',
      },
      {
        kind: 'audio',
        source: 'data:audio/mpeg;base64,AAAA',
        role: undefined,
        path: 'content[3]',
        sourcePath: 'content[3].audio_url.url',
      },
    ]);
  });

  it('names every broken item by its path', () => {
    const parsed = parseContentItems(
      [
        'text',
        { type: 'movie_url' },
        { text: 'no type' },
        { type: 'text', text: 5 },
        { type: 'image_url', image_url: 'https://example.com/a.png' },
        { type: 'image_url', image_url: { url: 'ftp://example.com/a.png' }, extra: 1 },
      ],
      'metadata.content',
    );
    expect(parsed.issues.map((issue) => [issue.field, issue.rule])).toEqual([
      ['metadata.content[0]', 'type'],
      ['metadata.content[1].type', 'enum'],
      ['metadata.content[2].type', 'required'],
      ['metadata.content[3].text', 'type'],
      ['metadata.content[4].image_url', 'type'],
      ['metadata.content[5].extra', 'unknown_field'],
    ]);
    for (const issue of parsed.issues) expect(issue.message.startsWith(issue.field)).toBe(true);
  });

  it('accepts http(s) URLs, base64 data URIs and asset:// ids; refuses other schemes and data: videos', () => {
    expect(mediaSourceIssue('https://example.com/a.png', 'p', 'image')).toBeUndefined();
    expect(mediaSourceIssue('data:image/png;base64,iVBOR', 'p', 'image')).toBeUndefined();
    expect(mediaSourceIssue('asset://abc', 'p', 'video')).toBeUndefined();
    expect(mediaSourceIssue('file:///etc/passwd', 'p', 'image')?.rule).toBe('format');
    expect(mediaSourceIssue('data:text/plain,hello', 'p', 'image')?.rule).toBe('format');
    expect(mediaSourceIssue('data:video/mp4;base64,AAAA', 'p', 'video')?.message).toMatch(/not a data: URI/);
  });
});
