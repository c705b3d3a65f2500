import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Application } from '../src/app.ts';
import { createMediaFixtures, type MediaFixtures } from '../src/inputs/media-fixtures.ts';
import { resolveFfmpegBinaries } from '../src/media/ffmpeg-binaries.ts';
import { call } from './support/http-client.ts';
import { startTestApplication, testKey } from './support/in-process-server.ts';
import { startMediaFixtureServer, type MediaFixtureServer } from './support/media-fixture-server.ts';
import { finishedResult, runRunComfy, submitRunComfy } from './support/runcomfy-jobs.ts';

/**
 * The network side of media inputs, against a local HTTP host on 127.0.0.1: a server without an
 * allow-list refuses every private address before connecting, a redirect cannot lead from an
 * allowed host to a private one, a slow or silent host ends the job with a timeout instead of
 * holding a worker, and a retried job reuses the inputs it already fetched.
 */

let fixtures: MediaFixtures;
let host: MediaFixtureServer;
let folder: string;
/** Plain http allowed, no allow-list: only public addresses may be fetched. */
let guarded: Application;
/** The fixture host allow-listed; up to three attempts per job. */
let trusting: Application;
/** The fixture host allow-listed; one attempt, so a timeout fails the job at once. */
let impatient: Application;

beforeAll(async () => {
  folder = await mkdtemp(path.join(tmpdir(), 'reelgate-media-network-'));
  const { ffmpeg } = resolveFfmpegBinaries({ searchPath: process.env['PATH'] });
  [fixtures, guarded, trusting, impatient] = await Promise.all([
    createMediaFixtures(ffmpeg, folder),
    startTestApplication({ REELGATE_ALLOW_HTTP_INPUTS: 'true' }),
    startTestApplication({ REELGATE_FETCH_ALLOW: '127.0.0.1' }),
    startTestApplication({
      REELGATE_FETCH_ALLOW: '127.0.0.1',
      REELGATE_MAX_ATTEMPTS: '1',
      REELGATE_WORKER_CONCURRENCY: '3',
    }),
  ]);
  host = await startMediaFixtureServer(folder);
});
afterAll(async () => {
  await Promise.all([guarded.close(), trusting.close(), impatient.close(), host.close()]);
  await rm(folder, { recursive: true, force: true });
});

const errorOf = (result: Record<string, unknown>) => result['error'] as Record<string, unknown>;

describe('without an allow-list, private addresses are refused before connecting', () => {
  const still = () => `/files/${path.basename(fixtures.png)}`;
  // A host written as an address needs no DNS: it is refused at submit, in the dialect's envelope.
  const literals: [string, () => string, string][] = [
    [
      '127.0.0.1',
      () => `http://127.0.0.1:${host.port}${still()}`,
      'host 127.0.0.1 is a forbidden address (loopback)',
    ],
    ['[::1]', () => `http://[::1]:${host.port}${still()}`, 'host ::1 is a forbidden address (loopback)'],
    [
      '10.0.0.1',
      () => `http://10.0.0.1:${host.port}${still()}`,
      'host 10.0.0.1 is a forbidden address (private)',
    ],
    [
      'the metadata service 169.254.169.254',
      () => 'http://169.254.169.254/latest/meta-data/',
      'host 169.254.169.254 is a forbidden address (link-local)',
    ],
    [
      '127.0.0.1 written as the decimal 2130706433',
      () => `http://2130706433:${host.port}${still()}`,
      'host 127.0.0.1 is a forbidden address (loopback)',
    ],
    [
      'an https URL to 192.168.1.10',
      () => 'https://192.168.1.10/clip.png',
      'host 192.168.1.10 is a forbidden address (private)',
    ],
  ];

  it.each(literals)('%s → a 422 at submit naming the input and the reason', async (_name, source, says) => {
    const connectionsBefore = host.connections();
    const reply = await submitRunComfy(guarded, { images: [source()] });
    expect(reply.status).toBe(422);
    expect(reply.body['error_message']).toBe(`ValidationError: images[0]: URL may not be fetched: ${says}`);
    expect(reply.body['detail']).toEqual([
      expect.objectContaining({ loc: ['body', 'images', 0], type: 'forbidden_address' }),
    ]);
    expect(host.connections()).toBe(connectionsBefore);
  });

  it('a host name resolving to loopback (localhost) is accepted, then the job fails with input_forbidden', async () => {
    const connectionsBefore = host.connections();
    const result = await runRunComfy(guarded, { images: [`http://localhost:${host.port}${still()}`] });
    expect(result).toMatchObject({ status: 'failed', error: { type: 'input_forbidden' } });
    expect(String(errorOf(result)['message'])).toMatch(
      /^images\[0\]: URL may not be fetched: host localhost resolves to (127\.0\.0\.1|::1), a forbidden address \(loopback\)$/,
    );
    expect(host.connections()).toBe(connectionsBefore);
  });
});

describe('redirects', () => {
  it('a redirect from the allowed host to another loopback address (127.0.0.2) is refused', async () => {
    const target = `http://127.0.0.2:${host.port}/files/${path.basename(fixtures.png)}`;
    const redirectsBefore = host.hits('/redirect');
    const result = await runRunComfy(trusting, {
      images: [`${host.origin}/redirect?to=${encodeURIComponent(target)}`],
    });
    expect(result).toMatchObject({
      status: 'failed',
      error: {
        type: 'input_forbidden',
        message: `images[0]: redirect 1 (to http://127.0.0.2:${host.port}) may not be fetched: host 127.0.0.2 is a forbidden address (loopback)`,
      },
    });
    expect(host.hits('/redirect')).toBe(redirectsBefore + 1);
  });
});

describe('retries', () => {
  it('a retried job fetches only what failed; what it already fetched is kept with the job', async () => {
    const steady = `/files/${path.basename(fixtures.png)}`;
    const flaky = `/flaky/${path.basename(fixtures.jpeg)}`;
    const steadyBefore = host.hits(steady);
    const submitted = await submitRunComfy(trusting, {
      images: [`${host.origin}${steady}`, `${host.origin}${flaky}`],
    });
    const result = await finishedResult(submitted);
    expect(result, JSON.stringify(result)).toMatchObject({ status: 'completed' });

    const id = String(result['request_id']);
    expect((await trusting.store.getJob(id))?.attempt).toBe(2);
    // The first attempt fetched both (the flaky one answered 503); the second only the flaky one.
    expect(host.hits(steady)).toBe(steadyBefore + 1);
    expect(host.hits(flaky)).toBe(2);
    const kept = path.join(trusting.config.dataDir, 'blobs', 'inputs', id);
    expect(await readFile(path.join(kept, 'image-0'))).toEqual(await readFile(fixtures.png));
    expect(await readFile(path.join(kept, 'image-1'))).toEqual(await readFile(fixtures.jpeg));
  });
});

describe('slow hosts', () => {
  it(
    'a trickling host fails at the 30 s total limit, a silent one at the 10 s idle limit; other jobs go on',
    { timeout: 90_000 },
    async () => {
      const trickle = await submitRunComfy(impatient, { images: [`${host.origin}/trickle`] });
      const stall = await submitRunComfy(impatient, { images: [`${host.origin}/stall`] });
      const started = Date.now();

      // Meanwhile the API answers and a third worker slot renders a text-only job.
      const other = await call(`${impatient.url}/v1/models/bytedance/seedance-v2/fast`, {
        key: testKey,
        body: { prompt: 'A quiet harbour at dawn', resolution: '480p', duration: 4, generate_audio: false },
      });
      expect(await finishedResult(other)).toMatchObject({ status: 'completed' });
      const status = await call(String(trickle.body['status_url']), { key: testKey });
      expect(status.body).toMatchObject({ status: 'in_progress', stage: 'preparing' });

      const stalled = await finishedResult(stall);
      expect(stalled).toMatchObject({
        status: 'failed',
        error: {
          type: 'input_unreachable',
          message: 'images[0]: URL could not be fetched: timed out after 10000 ms without receiving data',
        },
      });
      const trickled = await finishedResult(trickle);
      expect(trickled).toMatchObject({
        status: 'failed',
        error: {
          type: 'input_unreachable',
          message: 'images[0]: URL could not be fetched: timed out after 30000 ms',
        },
      });
      const elapsed = Date.now() - started;
      expect(elapsed).toBeGreaterThanOrEqual(29_000);
      expect(elapsed).toBeLessThan(45_000);
      // The server hung up on both: no socket is left open at the host.
      await expect.poll(() => host.openConnections(), { timeout: 5_000 }).toBe(0);
    },
  );
});
