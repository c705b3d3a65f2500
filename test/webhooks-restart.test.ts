import { afterAll, describe, expect, it } from 'vitest';
import { call, pollStatus } from './support/http-client.ts';
import { testKey } from './support/in-process-server.ts';
import { mediaModel, smallRequest } from './support/runcomfy-jobs.ts';
import type { ServerProcess } from './support/server-process.ts';
import { startServerProcess, temporaryDataDir } from './support/server-process.ts';
import { freePort, WebhookReceiver } from './support/webhook-receiver.ts';

/**
 * The outbox survives the process: a receiver that is down while the server is SIGKILLed gets the
 * delivery once both are back, with the webhook-id the earlier attempts used.
 */
let server: ServerProcess | undefined;
let receiver: WebhookReceiver | undefined;
afterAll(async () => {
  await server?.stop('SIGKILL');
  await receiver?.close();
});

describe('webhook delivery across a SIGKILL', () => {
  it('delivers after the receiver and the server come back, under the same webhook-id', async () => {
    const dataDir = await temporaryDataDir();
    const port = await freePort();
    const hookUrl = `http://127.0.0.1:${port}/hook`;
    const environment = {
      REELGATE_DATA_DIR: dataDir,
      REELGATE_BOOTSTRAP_KEY: testKey,
      REELGATE_FETCH_ALLOW: '127.0.0.1',
      // Retries far apart: only a restart (or the long wait) can bring the next attempt.
      REELGATE_WEBHOOK_RETRY_SECONDS: '0,2,2,2,2,2,2,2',
      REELGATE_WEBHOOK_POLL_MS: '100',
    };
    server = await startServerProcess(environment);
    const submitted = await call(
      `${server.url}/v1/models/${mediaModel}?webhook=${encodeURIComponent(hookUrl)}`,
      {
        key: testKey,
        body: smallRequest,
      },
    );
    expect(submitted.status, submitted.text).toBe(200);
    const id = String(submitted.body['request_id']);
    await pollStatus(String(submitted.body['status_url']), testKey, ['completed'], 60_000);

    // The receiver is down: the first attempt fails with a connection error and is recorded.
    const firstAttempts = await waitForAttempts(server.url, id, 1);
    expect(firstAttempts[0]?.['status_code']).toBeNull();
    expect(String(firstAttempts[0]?.['error_message'])).toMatch(/ECONNREFUSED|connect/i);
    const [record] = await callbacks(server.url, id);
    const webhookId = String(record?.['id']);

    expect(await server.stop('SIGKILL')).toBeNull();
    receiver = await new WebhookReceiver().listen(port);
    server = await startServerProcess({ ...environment });
    const [delivery] = await receiver.waitFor(1, 30_000);
    expect(delivery?.headers['webhook-id']).toBe(webhookId);
    expect(JSON.parse(delivery?.body.toString('utf8') ?? '{}')).toMatchObject({
      request_id: id,
      status: 'succeeded',
    });

    const deadline = Date.now() + 10_000;
    let settled = await callbacks(server.url, id);
    while (settled[0]?.['status_code'] !== 'delivered' && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      settled = await callbacks(server.url, id);
    }
    expect(settled).toHaveLength(1);
    expect(settled[0]).toMatchObject({ id: webhookId, status_code: 'delivered' });
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(receiver.received).toHaveLength(1);
  });
});

async function callbacks(url: string, id: string): Promise<Record<string, unknown>[]> {
  const reply = await call(`${url}/v1/jobs/${id}/callbacks`, { key: testKey });
  expect(reply.status, reply.text).toBe(200);
  return JSON.parse(reply.text) as Record<string, unknown>[];
}

async function waitForAttempts(url: string, id: string, count: number): Promise<Record<string, unknown>[]> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const [record] = await callbacks(url, id);
    const attempts = (record?.['attempts'] ?? []) as Record<string, unknown>[];
    if (attempts.length >= count) return attempts;
    if (Date.now() > deadline) throw new Error(`no attempt recorded: ${JSON.stringify(record)}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
