import { describe, expect, it } from 'vitest';
import { ApiTransport, retryDelayMs, shouldRetry } from './api-transport.ts';
import {
  BadRequestError,
  ConnectionError,
  InternalServerError,
  RequestAbortedError,
} from './reelgate-error.ts';
import { z } from 'zod';

const headers = (values: Record<string, string>) => new Headers(values);

describe('retryDelayMs', () => {
  it('honours retry-after-ms, then Retry-After in seconds or as a date, under a minute', () => {
    const random = () => 0;
    expect(retryDelayMs(0, headers({ 'retry-after-ms': '250' }), random)).toBe(250);
    expect(retryDelayMs(0, headers({ 'retry-after': '1.5' }), random)).toBe(1500);
    const now = Date.parse('2025-01-01T00:00:00Z');
    expect(retryDelayMs(0, headers({ 'retry-after': 'Wed, 01 Jan 2025 00:00:03 GMT' }), random, now)).toBe(
      3000,
    );
    // A minute or more is not waited for: the default backoff applies instead.
    expect(retryDelayMs(0, headers({ 'retry-after': '120' }), random)).toBe(500);
  });

  it('backs off exponentially from 0.5 s to 8 s with up to 25 % jitter', () => {
    expect([0, 1, 2, 3, 4, 5].map((retries) => retryDelayMs(retries, undefined, () => 0))).toEqual([
      500, 1000, 2000, 4000, 8000, 8000,
    ]);
    expect(retryDelayMs(1, undefined, () => 0.999)).toBeCloseTo(1000 * (1 - 0.999 * 0.25));
  });
});

describe('shouldRetry', () => {
  it('retries 408, 409, 429 and 5xx unless the server says x-should-retry: false', () => {
    const retried = [400, 401, 404, 408, 409, 422, 429, 500, 503].filter((status) =>
      shouldRetry({ status, headers: headers({}) }),
    );
    expect(retried).toEqual([408, 409, 429, 500, 503]);
    expect(shouldRetry({ status: 409, headers: headers({ 'x-should-retry': 'false' }) })).toBe(false);
    expect(shouldRetry({ status: 400, headers: headers({ 'x-should-retry': 'true' }) })).toBe(true);
  });
});

/** A transport over a scripted fetch; records each call and every wait. */
function scripted(answers: (() => Response | Promise<Response>)[], maxRetries = 2) {
  const calls: RequestInit[] = [];
  const waits: number[] = [];
  const transport = new ApiTransport({
    baseUrl: 'http://reelgate.test/',
    apiKey: 'rg_test',
    maxRetries,
    timeoutMs: 1000,
    random: () => 0,
    sleep: async (ms) => {
      waits.push(ms);
    },
    fetch: async (_url, init) => {
      calls.push(init ?? {});
      const answer = answers[calls.length - 1];
      if (answer === undefined) throw new Error('no more answers scripted');
      return answer();
    },
  });
  return { transport, calls, waits };
}

const ok = () => new Response('{"fine":true}', { status: 200 });
const schema = z.object({ fine: z.boolean() });

describe('ApiTransport', () => {
  it('retries a connection failure and a 503, then gives up after maxRetries', async () => {
    const refused = () => Promise.reject(new TypeError('fetch failed'));
    const unavailable = () =>
      new Response('{"error":{"code":"engine_unavailable","message":"busy"}}', { status: 503 });
    const first = scripted([refused, unavailable, ok]);
    expect(await first.transport.json({ method: 'GET', path: '/x' }, schema)).toEqual({ fine: true });
    expect(first.waits).toEqual([500, 1000]);

    const second = scripted([unavailable, unavailable, unavailable, ok]);
    const failure = await second.transport
      .json({ method: 'GET', path: '/x' }, schema)
      .catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(InternalServerError);
    expect(failure).toMatchObject({ status: 503, code: 'engine_unavailable', message: 'busy' });
    expect(second.calls).toHaveLength(3);

    const third = scripted([refused, refused, refused]);
    await expect(third.transport.json({ method: 'GET', path: '/x' }, schema)).rejects.toBeInstanceOf(
      ConnectionError,
    );
  });

  it('never retries a request marked retry: false, nor a 422', async () => {
    const unavailable = () => new Response('{}', { status: 503 });
    const once = scripted([unavailable, ok]);
    await expect(
      once.transport.json({ method: 'POST', path: '/x', retry: false }, schema),
    ).rejects.toBeInstanceOf(InternalServerError);
    expect(once.calls).toHaveLength(1);

    const invalid = () =>
      new Response(
        JSON.stringify({
          error: {
            code: 'validation_failed',
            message: 'duration must be at most 15',
            field: 'input.duration',
            issues: [{ field: 'input.duration', rule: 'maximum', message: 'duration must be at most 15' }],
          },
        }),
        { status: 422 },
      );
    const rejected = scripted([invalid, ok]);
    const error = await rejected.transport
      .json({ method: 'POST', path: '/x' }, schema)
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(BadRequestError);
    expect(error).toMatchObject({ field: 'input.duration', issues: [{ rule: 'maximum' }] });
    expect(rejected.calls).toHaveLength(1);
  });

  it('sends the key, JSON and the caller’s headers', async () => {
    const { transport, calls } = scripted([ok]);
    await transport.json(
      { method: 'POST', path: '/v1/jobs', body: { a: 1 }, headers: { 'idempotency-key': 'k' } },
      schema,
    );
    expect(calls[0]?.headers).toMatchObject({
      authorization: 'Bearer rg_test',
      'content-type': 'application/json',
      'idempotency-key': 'k',
    });
    expect(calls[0]?.body).toBe('{"a":1}');
  });

  it('rejects with RequestAbortedError when the caller aborts, without retrying', async () => {
    const controller = new AbortController();
    const hanging = () =>
      new Promise<Response>((_resolve, reject) =>
        controller.signal.addEventListener('abort', () => reject(new DOMException('aborted', 'AbortError'))),
      );
    const { transport, calls } = scripted([hanging, ok]);
    const pending = transport.json({ method: 'GET', path: '/x', signal: controller.signal }, schema);
    controller.abort();
    await expect(pending).rejects.toBeInstanceOf(RequestAbortedError);
    expect(calls).toHaveLength(1);
  });
});
