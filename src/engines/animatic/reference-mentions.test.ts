import { describe, expect, it } from 'vitest';
import { findMentions, orderByMention } from './reference-mentions.ts';

const counts = { image: 3, video: 2, audio: 1 };

describe('reference mentions', () => {
  it('reads [Image 2], @Video 1 and @audio1, counted from 1, only for inputs that exist', () => {
    expect(findMentions('[Image 2] then @Video 1, @audio1, [Video 3] and [image 9]', counts)).toEqual([
      { kind: 'image', index: 1 },
      { kind: 'video', index: 0 },
      { kind: 'audio', index: 0 },
    ]);
    expect(findMentions('an image of 2 cats', counts)).toEqual([]);
  });

  it('orders inputs by first mention, then the unnamed ones in input order', () => {
    expect(
      orderByMention('[Video 2] before [Image 3], then [Video 2] again', counts, ['image', 'video']),
    ).toEqual([
      { kind: 'video', index: 1 },
      { kind: 'image', index: 2 },
      { kind: 'image', index: 0 },
      { kind: 'image', index: 1 },
      { kind: 'video', index: 0 },
    ]);
    expect(orderByMention('[Image 1]', counts, ['audio'])).toEqual([{ kind: 'audio', index: 0 }]);
  });
});
