/**
 * A Server-Sent Events parser (the WHATWG `text/event-stream` rules) over a fetch body, so that
 * streams work with any header (EventSource cannot send `Authorization`) in browsers and Node.
 */

/** One dispatched event. `id` is the stream's last event id at dispatch (it carries over). */
export interface ServerSentEvent {
  readonly event: string;
  readonly data: string;
  readonly id: string | undefined;
  /** A reconnection delay the server asked for, in milliseconds, if this block set one. */
  readonly retry: number | undefined;
}

/** Yields every event of the stream in order; returns when the stream ends. */
export async function* parseServerSentEvents(
  stream: ReadableStream<Uint8Array>,
): AsyncGenerator<ServerSentEvent, void, undefined> {
  const decoder = new TextDecoder();
  const parser = new EventParser();
  const reader = stream.getReader();
  let pending = '';
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return; // an unterminated last block is dropped, as the spec says
      pending += decoder.decode(value, { stream: true });
      // A trailing "\r" may be the first half of "\r\n": keep it until the next chunk says.
      const complete = pending.endsWith('\r') ? pending.length - 1 : pending.length;
      const lines = pending.slice(0, complete).split(/\r\n|\n|\r/);
      pending = (lines.pop() ?? '') + pending.slice(complete);
      for (const line of lines) {
        const event = parser.line(line);
        if (event !== undefined) yield event;
      }
    }
  } finally {
    // Stops the download when the consumer leaves early (a no-op after the end).
    await reader.cancel().catch(() => undefined);
    reader.releaseLock();
  }
}

/** The per-line state machine: fields accumulate until a blank line dispatches them. */
class EventParser {
  private data: string[] = [];
  private event = '';
  private lastId: string | undefined;
  private retry: number | undefined;
  private hasData = false;

  line(line: string): ServerSentEvent | undefined {
    if (line === '') return this.dispatch();
    if (line.startsWith(':')) return undefined;
    const colon = line.indexOf(':');
    const field = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    switch (field) {
      case 'data':
        this.data.push(value);
        this.hasData = true;
        break;
      case 'event':
        this.event = value;
        break;
      case 'id':
        if (!value.includes('\0')) this.lastId = value;
        break;
      case 'retry':
        if (/^\d+$/.test(value)) this.retry = Number(value);
        break;
    }
    return undefined;
  }

  private dispatch(): ServerSentEvent | undefined {
    const event = this.hasData
      ? { event: this.event || 'message', data: this.data.join('\n'), id: this.lastId, retry: this.retry }
      : undefined;
    this.data = [];
    this.event = '';
    this.hasData = false;
    this.retry = undefined;
    return event;
  }
}
