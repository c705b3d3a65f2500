/** Small helpers to drive the API over real HTTP in tests. */
export interface Reply {
  readonly status: number;
  readonly headers: Headers;
  /** The body as sent; `body` is it parsed as JSON ({} when empty). */
  readonly text: string;
  readonly body: Record<string, unknown>;
}

export async function call(
  url: string,
  options: {
    method?: string;
    key?: string | undefined;
    body?: unknown;
    rawBody?: string;
    headers?: Record<string, string>;
  } = {},
): Promise<Reply> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.key !== undefined) headers['authorization'] = `Bearer ${options.key}`;
  let body: string | undefined;
  if (options.rawBody !== undefined || options.body !== undefined) {
    headers['content-type'] = 'application/json';
    body = options.rawBody ?? JSON.stringify(options.body);
  }
  const response = await fetch(url, {
    method: options.method ?? (body === undefined ? 'GET' : 'POST'),
    headers,
    ...(body === undefined ? {} : { body }),
  });
  const text = await response.text();
  return {
    status: response.status,
    headers: response.headers,
    text,
    body: text === '' ? {} : (JSON.parse(text) as Record<string, unknown>),
  };
}

/** Polls a RunComfy status URL until the status is one of `until` (or the time runs out). */
export async function pollStatus(
  statusUrl: string,
  key: string,
  until: readonly string[],
  timeoutMs = 60_000,
): Promise<Record<string, unknown>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const reply = await call(statusUrl, { key });
    if (reply.status !== 200) throw new Error(`status ${reply.status}: ${JSON.stringify(reply.body)}`);
    if (until.includes(String(reply.body['status']))) return reply.body;
    if (Date.now() > deadline)
      throw new Error(`timed out waiting for ${until.join('/')}: ${JSON.stringify(reply.body)}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
