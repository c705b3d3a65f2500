import { writeFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Application } from '../src/app.ts';
import { ReelgateClient } from '../src/client/index.ts';
import { startTestApplication, testKey } from './support/in-process-server.ts';
import { writeTestImage } from './support/test-image.ts';
import { probeFile } from './support/probe.ts';
import { runReelgate, runReelgateOnTerminal } from './support/reelgate-process.ts';
import type { ServerProcess } from './support/server-process.ts';
import { startServerProcess, temporaryDataDir } from './support/server-process.ts';
import { freePort } from './support/webhook-receiver.ts';

/**
 * `reelgate generate` and `reelgate jobs …` as a user runs them: child processes against a
 * `reelgate serve` process (jobs run), an in-process server without a worker (jobs stay queued,
 * so cancelling is deterministic), and the embedded one-command run.
 */

let server: ServerProcess;
let queue: Application;
let folder: string;
let notAnImageUrl: string;
let mediaServer: http.Server;
const textModel = 'bytedance/seedance-1-0/pro/fast/text-to-video';

beforeAll(async () => {
  folder = await temporaryDataDir();
  // Text under an image's name, served on loopback: fetched at prepare time, so the job fails.
  mediaServer = http.createServer((_request, response) => response.end('this is not an image'));
  await new Promise<void>((resolve) => mediaServer.listen(0, '127.0.0.1', resolve));
  notAnImageUrl = `http://127.0.0.1:${(mediaServer.address() as AddressInfo).port}/photo.png`;
  [server, queue] = await Promise.all([
    startServerProcess({
      REELGATE_DATA_DIR: folder,
      REELGATE_BOOTSTRAP_KEY: testKey,
      REELGATE_FETCH_ALLOW: '127.0.0.1',
      REELGATE_ALLOW_HTTP_INPUTS: 'true',
      REELGATE_MAX_ATTEMPTS: '1',
      REELGATE_WORKER_CONCURRENCY: '2',
    }),
    startTestApplication({ REELGATE_WORKER: 'false' }),
  ]);
});
afterAll(async () => {
  await Promise.all([server.stop(), queue.close()]);
  await new Promise<void>((resolve) => mediaServer.close(() => resolve()));
});

/** The CLI against `url` with `key`, and no config file or variables from the machine running the tests. */
function cli(
  commandLine: string[],
  url: string | undefined,
  key: string | undefined = testKey,
  extra: Record<string, string> = {},
) {
  return runReelgate(commandLine, {
    REELGATE_URL: url ?? '',
    REELGATE_API_KEY: key ?? '',
    REELGATE_CONFIG: path.join(folder, 'no-config.json'),
    ...extra,
  });
}

describe('reelgate generate', () => {
  it('uploads a local image as the first frame and saves the video; --json prints one parsable line', async () => {
    const image = path.join(folder, 'first.png');
    await writeTestImage(image);
    const output = path.join(folder, 'from-image.mp4');
    const result = await cli(
      [
        'generate',
        'The test card slowly comes alive, push-in',
        '--image',
        image,
        '--role',
        'first_frame',
        '-d',
        '4',
        '-r',
        '480p',
        '--no-audio',
        '--last-frame',
        '-o',
        output,
        '--json',
      ],
      server.url,
    );
    expect(result.code, result.stderr).toBe(0);
    const lines = result.stdout.trim().split('\n');
    expect(lines).toHaveLength(1);
    const job = JSON.parse(lines[0] ?? '') as Record<string, unknown>;
    expect(job).toMatchObject({ status: 'succeeded', model: 'bytedance/seedance-v2/fast', file: output });
    expect(String((job['input'] as { images: string[] }).images[0])).toMatch(/^asset:\/\//);

    const probed = await probeFile(output);
    const video = probed.streams.find((stream) => stream.codec_type === 'video');
    // A 4:3 first frame → the adaptive ratio is 4:3 (752×560 at 480p).
    expect(video).toMatchObject({ codec_name: 'h264', width: 752, height: 560 });
    expect(probed.streams.some((stream) => stream.codec_type === 'audio')).toBe(false);
    expect(Number(probed.format.duration)).toBeCloseTo(4, 0);
    expect((await probeFile(String(job['last_frame_file']))).streams[0]).toMatchObject({
      codec_name: 'png',
      width: 752,
    });
  });

  it('exits 2 on bad input, 3 on a bad key, 4 when the server is unreachable, 5 when the job fails', async () => {
    // Independent runs, started together: each CLI start costs seconds of a busy CPU.
    const [tooLong, missing, badKey, unreachable, failed] = await Promise.all([
      cli(
        ['generate', 'x', '--model', textModel, '-d', '99', '-o', path.join(folder, 'never.mp4')],
        server.url,
      ),
      cli(['generate', 'x', '--image', path.join(folder, 'nowhere.png')], server.url),
      cli(['generate', 'x', '--model', textModel], server.url, 'rg_wrong_key_0000000000000'),
      freePort().then((port) => cli(['jobs', 'list'], `http://127.0.0.1:${port}`)),
      cli(
        [
          'generate',
          'A still life',
          '--image',
          notAnImageUrl,
          '-d',
          '4',
          '-r',
          '480p',
          '--no-audio',
          '--json',
        ],
        server.url,
      ),
    ]);
    expect(tooLong.code).toBe(2);
    expect(tooLong.stderr).toMatch(/input\.duration must be one of 2, 3, .*12.*\(--duration\)/);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/--image .*nowhere\.png: no such file/);
    expect(badKey.code).toBe(3);
    expect(unreachable.code).toBe(4);
    expect(unreachable.stderr).toMatch(/could not reach/);
    expect(failed.code, failed.stderr).toBe(5);
    expect(JSON.parse(failed.stdout) as Record<string, unknown>).toMatchObject({
      status: 'failed',
      file: null,
    });
  });

  it('runs one command with no server: a private embedded server makes the video', async () => {
    const output = path.join(folder, 'embedded.mp4');
    const result = await cli(
      [
        'generate',
        'A paper boat on a rainy street, static shot',
        '--model',
        textModel,
        '-d',
        '2',
        '-r',
        '480p',
        '-o',
        output,
      ],
      undefined,
      undefined,
      // Nothing listens on this port, so there is no local server to use.
      { PORT: String(await freePort()) },
    );
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toMatch(/starting a private embedded one/);
    expect(result.stderr).toMatch(/^succeeded$/m);
    expect(result.stdout).toMatch(/^saved .*embedded\.mp4 — 864×496, 2\.0 s, no audio/);
    const probed = await probeFile(output);
    expect(probed.streams.find((stream) => stream.codec_type === 'video')).toMatchObject({
      width: 864,
      height: 496,
    });
  });
});

describe('reelgate jobs', () => {
  it('lists, shows and cancels a job; waiting on a cancelled job exits 5', async () => {
    const client = new ReelgateClient({ baseUrl: queue.url, apiKey: testKey });
    const job = await client.jobs.create({
      model: textModel,
      input: { text: 'A quiet harbour', duration: 2 },
    });

    const [listed, shown] = await Promise.all([
      cli(['jobs', 'list', '--status', 'queued'], queue.url),
      cli(['jobs', 'show', job.id, '--json'], queue.url),
    ]);
    expect(listed.code, listed.stderr).toBe(0);
    expect(listed.stdout).toContain(`${job.id}\tqueued\t${textModel}`);
    expect(JSON.parse(shown.stdout)).toMatchObject({ id: job.id, status: 'queued', queue_position: 0 });

    const cancelled = await cli(['jobs', 'cancel', job.id], queue.url);
    expect(cancelled.code, cancelled.stderr).toBe(0);
    expect(cancelled.stdout.trim()).toBe(`cancelled job ${job.id}`);
    expect((await client.jobs.get(job.id)).status).toBe('cancelled');

    const [waited, unknown] = await Promise.all([
      cli(['jobs', 'wait', job.id], queue.url),
      cli(['jobs', 'show', 'no-such-job'], queue.url),
    ]);
    expect(waited.code).toBe(5);
    expect(unknown.code).toBe(2);
  });

  it('asks on Ctrl-C whether to cancel the job or leave it running, on a real terminal', async () => {
    const environment = {
      REELGATE_URL: queue.url,
      REELGATE_API_KEY: testKey,
      REELGATE_CONFIG: path.join(folder, 'no-config.json'),
    };
    const prompt = /Cancel job (\S+), or leave it running\? \[c\]ancel \/ \[L\]eave: /;
    const client = new ReelgateClient({ baseUrl: queue.url, apiKey: testKey });

    // Leaving it (the default): the job stays queued and the command says how to follow it.
    const left = runReelgateOnTerminal(
      ['generate', 'A lantern in the fog', '--model', textModel],
      environment,
    );
    await left.waitFor(/queued · position \d+/);
    left.type('\x03');
    await left.waitFor(prompt);
    left.type('\r');
    expect(await left.exited).toBe(130);
    const leftId = prompt.exec(left.output())?.[1] ?? '';
    expect(left.output()).toContain(`reelgate jobs wait ${leftId}`);
    expect((await client.jobs.get(leftId)).status).toBe('queued');

    // Cancelling it.
    const cancelled = runReelgateOnTerminal(
      ['generate', 'A kite at noon', '--model', textModel],
      environment,
    );
    await cancelled.waitFor(/queued · position \d+/);
    cancelled.type('\x03');
    await cancelled.waitFor(prompt);
    cancelled.type('c\r');
    await cancelled.exited;
    const cancelledId = prompt.exec(cancelled.output())?.[1] ?? '';
    expect(cancelled.output()).toContain(`cancelled job ${cancelledId}`);
    expect((await client.jobs.get(cancelledId)).status).toBe('cancelled');
  });

  it('downloads a finished job and reads the key from the config file', async () => {
    const config = path.join(folder, 'config.json');
    await writeFile(config, JSON.stringify({ url: server.url, api_key: testKey }));
    const client = new ReelgateClient({ baseUrl: server.url, apiKey: testKey });
    const job = await client.jobs.create({
      model: textModel,
      input: { text: 'A lantern at night', duration: 2 },
    });
    const output = path.join(folder, 'downloaded.mp4');
    const fromFile = { REELGATE_CONFIG: config };
    const waited = await runReelgate(['jobs', 'wait', job.id], fromFile);
    expect(waited.code, waited.stderr).toBe(0);
    const downloaded = await runReelgate(['jobs', 'download', job.id, '-o', output], fromFile);
    expect(downloaded.code, downloaded.stderr).toBe(0);
    expect((await probeFile(output)).streams[0]).toMatchObject({ codec_name: 'h264', width: 864 });
  });
});
