import { describe, expect, it } from 'vitest';
import { parseServerSentEvents } from './server-sent-events.ts';

/** A stream that delivers `chunks` one by one, as a network would. */
function streamOf(chunks: readonly string[]): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  let index = 0;
  return new ReadableStream({
    pull(controller) {
      const chunk = chunks[index++];
      if (chunk === undefined) controller.close();
      else controller.enqueue(encoder.encode(chunk));
    },
  });
}

async function collect(chunks: readonly string[]) {
  const events = [];
  for await (const event of parseServerSentEvents(streamOf(chunks))) events.push(event);
  return events;
}

describe('parseServerSentEvents', () => {
  it('reads events, ids, retry and multi-line data; skips comments', async () => {
    const events = await collect([
      'retry: 2000\n\n: keep-alive\n\nid: a.1\nevent: status\ndata: {"x":1}\n\n',
      'data: line one\ndata: line two\n\n',
    ]);
    expect(events).toEqual([
      { event: 'status', data: '{"x":1}', id: 'a.1', retry: undefined },
      // The id carries over to later events; an event without a type is a "message".
      { event: 'message', data: 'line one\nline two', id: 'a.1', retry: undefined },
    ]);
  });

  it('handles fields split across chunks and CRLF split between chunks', async () => {
    const events = await collect(['id: 7\r', '\nevent: sta', 'tus\r\ndata: {"a"', ':2}\r\n\r', '\n']);
    expect(events).toEqual([{ event: 'status', data: '{"a":2}', id: '7', retry: undefined }]);
  });

  it('keeps multi-byte characters split between chunks intact', async () => {
    const bytes = new TextEncoder().encode('data: café 🎬\n\n');
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(bytes.slice(0, 9));
        controller.enqueue(bytes.slice(9, 13));
        controller.enqueue(bytes.slice(13));
        controller.close();
      },
    });
    const events = [];
    for await (const event of parseServerSentEvents(stream)) events.push(event.data);
    expect(events).toEqual(['café 🎬']);
  });

  it('drops a last block that the stream never terminated', async () => {
    expect(await collect(['data: whole\n\n', 'data: cut off'])).toHaveLength(1);
  });

  it('cancels the stream when the consumer stops early', async () => {
    let cancelled = false;
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        controller.enqueue(new TextEncoder().encode('data: again\n\n'));
      },
      cancel() {
        cancelled = true;
      },
    });
    for await (const event of parseServerSentEvents(stream)) {
      expect(event.data).toBe('again');
      break;
    }
    expect(cancelled).toBe(true);
  });
});
