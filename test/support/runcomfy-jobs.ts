import type { Application } from '../../src/app.ts';
import type { Reply } from './http-client.ts';
import { call, pollStatus } from './http-client.ts';
import { testKey } from './in-process-server.ts';

/** The RunComfy model the media tests submit to: Seedance 2.0 Fast takes images, videos and audio. */
export const mediaModel = 'bytedance/seedance-v2/fast';

/** A cheap render: 480p, 4 s, silent. Media fields are added by each test. */
export const smallRequest = {
  prompt: 'A lighthouse on a cliff at dusk, waves below, slow push-in',
  resolution: '480p',
  duration: 4,
  generate_audio: false,
} as const;

/** POSTs a RunComfy create request for {@link mediaModel}. */
export function submitRunComfy(
  application: Application,
  body: Record<string, unknown>,
  key: string = testKey,
): Promise<Reply> {
  return call(`${application.url}/v1/models/${mediaModel}`, { key, body: { ...smallRequest, ...body } });
}

/**
 * Waits until an accepted RunComfy request is finished and returns its result body: `output`
 * when completed, `error: {type, message}` when failed.
 */
export async function finishedResult(
  submitted: Reply,
  key: string = testKey,
  timeoutMs = 60_000,
): Promise<Record<string, unknown>> {
  if (submitted.status !== 200) throw new Error(`not accepted: ${submitted.status} ${submitted.text}`);
  const terminal = ['completed', 'failed', 'cancelled'];
  await pollStatus(String(submitted.body['status_url']), key, terminal, timeoutMs);
  const result = await call(String(submitted.body['result_url']), { key });
  if (result.status !== 200) throw new Error(`result ${result.status}: ${result.text}`);
  return result.body;
}

/** Submits and waits: the finished result of one RunComfy request. */
export async function runRunComfy(
  application: Application,
  body: Record<string, unknown>,
): Promise<Record<string, unknown>> {
  return finishedResult(await submitRunComfy(application, body));
}
