import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Application } from '../src/app.ts';
import { createApiKey } from '../src/keys/api-keys.ts';
import { call, pollStatus } from './support/http-client.ts';
import { otherKeyOn, startTestApplication, testKey } from './support/in-process-server.ts';

let application: Application;
let otherKey: string;
const submitUrl = () => `${application.url}/v1/models/bytedance/seedance-v2/fast`;

beforeAll(async () => {
  application = await startTestApplication({ REELGATE_WORKER: 'false' });
  otherKey = await otherKeyOn(application);
});
afterAll(async () => application.close());

describe('authentication', () => {
  it('401 without a key, with a wrong key and with a malformed header, in the RunComfy envelope', async () => {
    for (const key of [undefined, 'rg_not_a_real_key']) {
      const reply = await call(submitUrl(), { key, body: { prompt: 'x' } });
      expect(reply.status).toBe(401);
      expect(reply.body['error_code']).toBe(401001);
      expect(String(reply.body['error_message'])).toMatch(/API key/);
    }
    const malformed = await fetch(submitUrl(), { method: 'POST', headers: { authorization: 'Basic abc' } });
    expect(malformed.status).toBe(401);
  });

  it("another key's job is a 404, exactly like an unknown id", async () => {
    const mine = await call(submitUrl(), { key: testKey, body: { prompt: 'mine' } });
    const id = String(mine.body['request_id']);
    for (const path of ['status', 'result']) {
      const theirs = await call(`${application.url}/v1/requests/${id}/${path}`, { key: otherKey });
      const unknown = await call(
        `${application.url}/v1/requests/00000000-0000-7000-8000-000000000000/${path}`,
        { key: otherKey },
      );
      expect(theirs.status).toBe(404);
      expect(theirs.body['error_code']).toBe(404001);
      expect(unknown.status).toBe(404);
      expect(Object.keys(theirs.body).sort()).toEqual(Object.keys(unknown.body).sort());
    }
    const cancel = await call(`${application.url}/v1/requests/${id}/cancel`, {
      key: otherKey,
      method: 'POST',
    });
    expect(cancel.status).toBe(404);
    expect((await call(`${application.url}/v1/requests/${id}/status`, { key: testKey })).body['status']).toBe(
      'in_queue',
    );
  });

  it('a revoked key stops working at once', async () => {
    const created = await createApiKey(application.store, 'short-lived');
    expect((await call(submitUrl(), { key: created.secret, body: { prompt: 'x' } })).status).toBe(200);
    await application.store.revokeApiKey('short-lived', Date.now());
    expect((await call(submitUrl(), { key: created.secret, body: { prompt: 'x' } })).status).toBe(401);
  });
});

describe('queue position and cancel (queued only)', () => {
  it('reports queue positions in order and cancels a queued request', async () => {
    const ids: string[] = [];
    for (let index = 0; index < 3; index += 1) {
      ids.push(
        String(
          (await call(submitUrl(), { key: otherKey, body: { prompt: `job ${index}` } })).body['request_id'],
        ),
      );
    }
    const positions = [];
    for (const id of ids) {
      positions.push(
        (await call(`${application.url}/v1/requests/${id}/status`, { key: otherKey })).body['queue_position'],
      );
    }
    const [first, second, third] = positions as number[];
    expect(second).toBe((first ?? 0) + 1);
    expect(third).toBe((first ?? 0) + 2);

    const cancelled = await call(`${application.url}/v1/requests/${ids[1]}/cancel`, {
      key: otherKey,
      method: 'POST',
    });
    expect(cancelled.status).toBe(200);
    expect(cancelled.body).toEqual({ request_id: ids[1], status: 'cancelled', outcome: 'cancelled' });
    const after = await call(`${application.url}/v1/requests/${ids[2]}/status`, { key: otherKey });
    expect(after.body['queue_position']).toBe((first ?? 0) + 1);
    const result = await call(`${application.url}/v1/requests/${ids[1]}/result`, { key: otherKey });
    expect(result.body).toMatchObject({ status: 'cancelled' });
    expect(result.body['output']).toBeUndefined();

    const again = await call(`${application.url}/v1/requests/${ids[1]}/cancel`, {
      key: otherKey,
      method: 'POST',
    });
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ request_id: ids[1], outcome: 'not_cancellable', status: 'cancelled' });
    expect(String(again.body['message'])).toMatch(
      /already finished \(cancelled\); only queued requests can be cancelled/,
    );
  });
});

describe('Idempotency-Key on the RunComfy submit', () => {
  it('returns the same request for the same key and body, and a 409 for the same key with another body', async () => {
    const headers = { 'idempotency-key': 'order-42' };
    const send = (body: unknown) =>
      fetch(submitUrl(), {
        method: 'POST',
        headers: { ...headers, authorization: `Bearer ${testKey}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    const first = (await (await send({ prompt: 'same', duration: 4 })).json()) as Record<string, unknown>;
    const second = (await (await send({ duration: 4, prompt: 'same' })).json()) as Record<string, unknown>;
    expect(second['request_id']).toBe(first['request_id']);
    const conflict = await send({ prompt: 'different', duration: 4 });
    expect(conflict.status).toBe(409);
    expect(((await conflict.json()) as Record<string, unknown>)['error_message']).toMatch(
      /order-42.*different request/,
    );
  });
});

describe('cancel of running and finished requests', () => {
  let running: Application;
  beforeAll(async () => {
    running = await startTestApplication();
  });
  afterAll(async () => running.close());

  it('answers not_cancellable (2xx, as RunComfy clients expect) for running and completed requests, saying why', async () => {
    const long = await call(`${running.url}/v1/models/bytedance/seedance-v2/fast`, {
      key: testKey,
      body: { prompt: 'a long slow pan over hills', duration: 10 },
    });
    const statusUrl = String(long.body['status_url']);
    const inProgress = await pollStatus(statusUrl, testKey, ['in_progress', 'completed']);
    expect(inProgress['status']).toBe('in_progress');
    const refused = await call(String(long.body['cancel_url']), { key: testKey, method: 'POST' });
    expect(refused.status).toBe(200);
    expect(refused.body).toMatchObject({ outcome: 'not_cancellable', status: 'in_progress' });
    expect(String(refused.body['message'])).toMatch(/is in progress; only queued requests can be cancelled/);

    const completed = await pollStatus(statusUrl, testKey, ['completed', 'failed'], 120_000);
    expect(completed['status']).toBe('completed');
    const late = await call(String(long.body['cancel_url']), { key: testKey, method: 'POST' });
    expect(late.status).toBe(200);
    expect(late.body).toMatchObject({ outcome: 'not_cancellable', status: 'completed' });
  });
});
