import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { chromium } from 'playwright-core';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Application } from '../src/app.ts';
import { resolveFfmpegBinaries } from '../src/media/ffmpeg-binaries.ts';
import { call } from './support/http-client.ts';
import { startTestApplication, testKey } from './support/in-process-server.ts';
import { WebhookReceiver } from './support/webhook-receiver.ts';

/**
 * The web UI in a real browser (Debian's chromium driven by playwright-core) against real
 * servers: `live` runs jobs, `queue` has no worker, so its jobs stay queued until cancelled.
 * Browser-side checks are strings: this file is type-checked without the DOM library.
 */
const run = promisify(execFile);
const repositoryRoot = path.resolve(import.meta.dirname, '..');
const screenshots = path.join(repositoryRoot, 'test-output', 'web-ui');
const chromiumPath = process.env['REELGATE_TEST_CHROMIUM'] ?? '/usr/bin/chromium';

let live: Application;
let queue: Application;
let browser: Browser;
let page: Page;
let framePng: string;
/** The job generated in the playground, shared by the library tests. */
let generatedId: string;

beforeAll(async () => {
  const folder = await mkdtemp(path.join(tmpdir(), 'reelgate-web-ui-'));
  framePng = path.join(folder, 'frame.png');
  const ffmpeg = resolveFfmpegBinaries({ searchPath: process.env['PATH'] }).ffmpeg;
  // The build is a no-op when `npm test`'s pretest already made it from the same sources.
  const build = run(process.execPath, ['--import', 'tsx', 'web/build-web-ui.ts'], { cwd: repositoryRoot });
  const frame = run(ffmpeg, [
    '-v',
    'error',
    '-f',
    'lavfi',
    '-i',
    'testsrc2=s=640x480',
    '-frames:v',
    '1',
    framePng,
  ]);
  const [liveApplication, queueApplication, launched] = await Promise.all([
    startTestApplication(),
    // Callbacks may go to the loopback receiver; deliveries are picked up quickly.
    startTestApplication({
      REELGATE_WORKER: 'false',
      REELGATE_FETCH_ALLOW: '127.0.0.1',
      REELGATE_WEBHOOK_POLL_MS: '50',
    }),
    chromium.launch({
      executablePath: chromiumPath,
      headless: true,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
    }),
    mkdir(screenshots, { recursive: true }),
    build,
    frame,
  ]);
  [live, queue, browser] = [liveApplication, queueApplication, launched];
  page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
});

afterAll(async () => {
  await browser?.close();
  await Promise.all([live?.close(), queue?.close()]);
});

/**
 * Waits until a browser-side expression is truthy. Not `page.waitForFunction`: that compiles the
 * string inside the page, which the server's CSP (no 'unsafe-eval') rightly refuses.
 */
async function until(target: Page, expression: string, timeout = 10_000): Promise<void> {
  await expect.poll(() => target.evaluate(expression), { timeout, interval: 100 }).toBeTruthy();
}

async function signIn(target: Page, baseUrl: string, key = testKey): Promise<void> {
  await target.goto(`${baseUrl}/sign-in`);
  await target.getByLabel('API key').fill(key);
  await target.getByRole('button', { name: 'Sign in' }).click();
  await target.getByRole('link', { name: 'Library' }).waitFor();
}

/** Drops copies of the test frame, under these names, on the images field and waits for the uploads. */
async function dropImages(target: Page, names: readonly string[]): Promise<void> {
  const base64 = (await readFile(framePng)).toString('base64');
  const dataTransfer = await target.evaluateHandle(
    `(() => { const bytes = Uint8Array.from(atob('${base64}'), (c) => c.charCodeAt(0));
      const transfer = new DataTransfer();
      for (const name of ${JSON.stringify(names)}) transfer.items.add(new File([bytes], name, { type: 'image/png' }));
      return transfer; })()`,
  );
  await target.getByTestId('drop-zone-images').dispatchEvent('drop', { dataTransfer });
  await expect
    .poll(() => target.locator('.media-item.ready').count(), { timeout: 10_000 })
    .toBe(names.length);
}

describe('web UI', () => {
  it('serves the UI at its pages only, with caching that suits each file', async () => {
    const index = await fetch(`${live.url}/library/some-job`);
    expect(index.status).toBe(200);
    expect(index.headers.get('cache-control')).toBe('no-cache');
    const html = await index.text();
    const script = /src="(\/assets\/[^"]+\.js)"/.exec(html)?.[1];
    expect(script).toBeDefined();
    expect(html).not.toMatch(/<script>|<script(?![^>]*\bsrc=)[^>]*>/);
    const bundle = await fetch(`${live.url}${script}`);
    expect(bundle.status).toBe(200);
    expect(bundle.headers.get('cache-control')).toMatch(/max-age=31536000.*immutable/);
    // API paths keep their meaning: unknown ones stay JSON 404s, not the UI.
    const unknown = await fetch(`${live.url}/v1/no-such-route`);
    expect(unknown.status).toBe(404);
    expect(unknown.headers.get('content-type')).toMatch(/json/);
    expect((await fetch(`${live.url}/health`)).headers.get('content-type')).toMatch(/json/);
  });

  it('signs in with an API key kept in the browser, refusing a wrong one', async () => {
    await page.goto(`${live.url}/library`);
    await page.waitForURL(/\/sign-in\?next=%2Flibrary$/);
    await page.getByLabel('API key').fill('rg_not_a_key_of_this_server');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect.poll(() => page.getByRole('alert').textContent()).toMatch(/does not accept that key/);
    await page.screenshot({ path: path.join(screenshots, 'sign-in.png'), fullPage: true });

    await page.getByLabel('API key').fill(testKey);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Library' }).waitFor();
    expect(new URL(page.url()).pathname).toBe('/library');
    expect(await page.evaluate("localStorage.getItem('reelgate.apiKey')")).toBe(testKey);
  });

  it('generates from the playground: dropped reference image with its role, live progress, the video plays, last frame', async () => {
    await page.getByRole('link', { name: 'Playground' }).click();
    await page.getByLabel('Model', { exact: true }).selectOption('bytedance/seedance-v2/fast');
    // The form comes from the model's schema: defaults, enum selects, bounds and help texts.
    expect(await page.getByLabel('Resolution').inputValue()).toBe('720p');
    expect(await page.getByLabel('Duration (seconds)').getAttribute('min')).toBe('4');
    expect(await page.getByLabel('Duration (seconds)').getAttribute('max')).toBe('15');
    expect(await page.getByLabel('Generate audio').isChecked()).toBe(true);
    await page.getByText('Integer seconds in [4, 15].').waitFor();

    await dropImages(page, ['frame.png']);
    // A lone image would be taken as the first frame; the chosen role must reach the server.
    await page.getByLabel('Role of frame.png').selectOption('reference_image');

    await page.getByLabel('Prompt').fill('A lighthouse at dusk, slow push-in');
    await page.getByLabel('Resolution').selectOption('480p');
    // A value out of the schema's bounds is refused at its field before anything is sent.
    await page.getByLabel('Duration (seconds)').fill('99');
    await page.getByRole('button', { name: 'Generate' }).click();
    await page.getByText('Duration (seconds) must be a whole number from 4 to 15').waitFor();
    expect(await page.getByLabel('Duration (seconds)').getAttribute('aria-invalid')).toBe('true');
    await page.getByLabel('Duration (seconds)').fill('4');
    await page.getByLabel('Generate audio').uncheck();
    await page.getByLabel('Return last frame').check();
    // Record every status line the page shows, to see the progress the stream delivered.
    await page.evaluate(`(() => { window.seenStatuses = [];
      new MutationObserver(() => {
        const text = document.querySelector('.created-job .job-status')?.textContent;
        if (text && window.seenStatuses.at(-1) !== text) window.seenStatuses.push(text);
      }).observe(document.body, { subtree: true, childList: true, characterData: true }); })()`);
    await page.getByRole('button', { name: 'Generate' }).click();
    await page.getByRole('progressbar', { name: 'Progress' }).waitFor();
    await page.locator('.created-job .job-status[data-status="succeeded"]').waitFor({ timeout: 60_000 });

    const seen = (await page.evaluate('window.seenStatuses')) as string[];
    expect(seen.some((text) => /^running · [1-9]\d* %/.test(text))).toBe(true);
    expect(seen.at(-1)).toBe('succeeded');
    // Playing: the element's clock moves. (Chrome pauses muted autoplay while it is off screen.)
    await page.locator('video.player').scrollIntoViewIfNeeded();
    await until(page, "document.querySelector('video.player')?.currentTime > 0.3", 15_000);
    await until(
      page,
      '[...document.querySelectorAll(\'img[alt="Last frame of the video"]\')].some((i) => i.naturalWidth === 752)',
    );
    const download = await page.getByRole('link', { name: 'Download MP4' }).getAttribute('href');
    const video = await fetch(String(download), { headers: { range: 'bytes=0-1023' } });
    expect(video.status).toBe(206);
    expect(video.headers.get('content-type')).toBe('video/mp4');

    generatedId = String(await page.locator('.created-job h2 a').textContent());
    const job = await call(`${live.url}/v1/jobs/${generatedId}`, { key: testKey });
    // `adaptive` took the 4:3 ratio of the 640×480 reference image: 752×560 at 480p.
    expect(job.body['metadata']).toMatchObject({ mode: 'reference', width: 752, height: 560 });
    await page.screenshot({ path: path.join(screenshots, 'playground.png'), fullPage: true });
  });

  it('lists the job in the library with its thumbnail, plays the spritesheet on hover, and filters', async () => {
    await page.getByRole('link', { name: 'Library' }).click();
    const card = page.locator(`li.job-card[data-job-id="${generatedId}"]`);
    await card.waitFor();
    await until(
      page,
      `document.querySelector('li.job-card[data-job-id="${generatedId}"] img')?.naturalWidth > 0`,
    );
    await card.locator('.thumbnail').hover();
    await until(
      page,
      `Number(document.querySelector('li.job-card[data-job-id="${generatedId}"] .sprite')?.dataset.frame) > 0`,
    );
    await card.screenshot({ path: path.join(screenshots, 'library-card-hover.png') });
    expect(await card.textContent()).toContain('bytedance/seedance-v2/fast');
    await page.screenshot({ path: path.join(screenshots, 'library.png'), fullPage: true });

    await page.getByLabel('Status').selectOption('failed');
    await page.getByText('No generations match these filters.').waitFor();
    expect(new URL(page.url()).search).toBe('?status=failed');
    await page.getByLabel('Status').selectOption('succeeded');
    await card.waitFor();
    await page.getByLabel('Model').selectOption('bytedance/seedance-1-0/pro/fast/text-to-video');
    await page.getByText('No generations match these filters.').waitFor();
    await page.getByLabel('Model').selectOption('');
    await card.waitFor();

    await card.getByRole('link').click();
    await page.getByRole('heading', { name: `Job ${generatedId}` }).waitFor();
    const details = page.getByRole('region', { name: 'Details' });
    await expect.poll(() => details.textContent()).toMatch(/EngineanimaticModereference/);
    await page.getByText('No callbacks: the job was submitted without a callback URL.').waitFor();
    await page.screenshot({ path: path.join(screenshots, 'job-detail.png'), fullPage: true });
  });

  it('cancels a queued job, shows its callback, re-runs it with the same seed and deletes it', async () => {
    const queued = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    try {
      await signIn(queued, queue.url);
      await queued.getByRole('link', { name: 'Playground' }).click();
      await queued
        .getByLabel('Model', { exact: true })
        .selectOption('bytedance/seedance-1-0/pro/fast/text-to-video');
      await queued.getByLabel('Seed').fill('4242');
      await queued.getByRole('button', { name: 'Generate' }).click();
      await queued.locator('.created-job .job-status', { hasText: 'queued · next' }).waitFor();
      const id = String(await queued.locator('.created-job h2 a').textContent());

      await queued.getByRole('link', { name: 'Library' }).click();
      await queued.getByLabel('Status').selectOption('queued');
      await queued.locator(`li.job-card[data-job-id="${id}"]`).getByRole('link').click();
      await queued.getByRole('button', { name: 'Cancel job' }).click();
      await queued.locator('.status-badge[data-status="cancelled"]').waitFor();
      expect((await call(`${queue.url}/v1/jobs/${id}`, { key: testKey })).body['status']).toBe('cancelled');

      await queued.getByRole('button', { name: 'Re-run with the same seed' }).click();
      await queued.waitForURL((url) => url.pathname.startsWith('/library/') && !url.pathname.endsWith(id));
      const rerunId = new URL(queued.url()).pathname.split('/').at(-1);
      const rerun = await call(`${queue.url}/v1/jobs/${rerunId}`, { key: testKey });
      expect(rerun.body['status']).toBe('queued');
      expect(rerun.body['input']).toMatchObject({ seed: 4242, text: expect.any(String) });

      // A job with a callback URL: cancelling it sends one callback, which the history then shows.
      const receiver = await new WebhookReceiver().listen();
      try {
        const withCallback = await call(`${queue.url}/v1/jobs`, {
          key: testKey,
          body: {
            model: 'bytedance/seedance-1-0/pro/fast/text-to-video',
            input: { text: 'x' },
            callback_url: receiver.url,
          },
        });
        expect(withCallback.status).toBe(201);
        await queued.goto(`${queue.url}/library/${String(withCallback.body['id'])}`);
        await queued.getByRole('button', { name: 'Cancel job' }).click();
        await receiver.waitFor(1);
        const history = queued.getByRole('region', { name: 'Callbacks' });
        await history.locator('.delivery-state', { hasText: 'delivered' }).waitFor({ timeout: 10_000 });
        expect(await history.textContent()).toContain('attempt 1: HTTP 200');
      } finally {
        await receiver.close();
      }

      await queued.goto(`${queue.url}/library/${id}`);
      await queued.getByRole('button', { name: 'Delete', exact: true }).click();
      await queued.getByRole('button', { name: 'Delete for good' }).click();
      await queued.getByRole('heading', { name: 'Library' }).waitFor();
      await queued.locator(`li.job-card[data-job-id="${rerunId}"]`).waitFor();
      expect(await queued.locator(`li.job-card[data-job-id="${id}"]`).count()).toBe(0);
      expect((await call(`${queue.url}/v1/jobs/${id}`, { key: testKey })).status).toBe(404);
    } finally {
      await queued.close();
    }
  });

  it('re-runs a job made with first- and last-frame images with the same media, roles, seed and last-frame flag', async () => {
    const framed = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    try {
      await signIn(framed, queue.url);
      await framed.getByRole('link', { name: 'Playground' }).click();
      await framed.getByLabel('Model', { exact: true }).selectOption('bytedance/seedance-v2/fast');
      await dropImages(framed, ['start.png', 'end.png']);
      // Without roles both images would be references: these roles change the mode.
      await framed.getByLabel('Role of start.png').selectOption('first_frame');
      await framed.getByLabel('Role of end.png').selectOption('last_frame');
      await framed.getByLabel('Prompt').fill('The sun sets over the bay');
      await framed.getByLabel('Resolution').selectOption('480p');
      await framed.getByLabel('Duration (seconds)').fill('4');
      await framed.getByLabel('Return last frame').check();
      // No seed: the server draws one, and the re-run must keep that one.
      await framed.getByRole('button', { name: 'Generate' }).click();
      await framed.locator('.created-job .job-status', { hasText: 'queued' }).waitFor();
      const id = String(await framed.locator('.created-job h2 a').textContent());
      const original = await call(`${queue.url}/v1/jobs/${id}`, { key: testKey });
      const roles = { 'images[0]': 'first_frame', 'images[1]': 'last_frame' };
      expect(original.body).toMatchObject({ roles, return_last_frame: true });
      const originalInput = original.body['input'] as Record<string, unknown>;
      expect(originalInput['images']).toEqual([
        expect.stringMatching(/^asset:\/\//),
        expect.stringMatching(/^asset:\/\//),
      ]);
      expect(originalInput['seed']).toEqual(expect.any(Number));

      await framed.locator('.created-job h2 a').click();
      await framed.getByRole('heading', { name: `Job ${id}` }).waitFor();
      const inputs = framed.getByRole('region', { name: 'Inputs and parameters' });
      await expect
        .poll(() => inputs.textContent())
        .toContain('images[0]: first_frame, images[1]: last_frame');
      await framed.getByRole('button', { name: 'Re-run with the same seed' }).click();
      await framed.waitForURL((url) => url.pathname.startsWith('/library/') && !url.pathname.endsWith(id));
      const rerunId = new URL(framed.url()).pathname.split('/').at(-1);
      const rerun = await call(`${queue.url}/v1/jobs/${rerunId}`, { key: testKey });
      expect(rerun.body).toMatchObject({ status: 'queued', roles, return_last_frame: true });
      expect(rerun.body['input']).toEqual(originalInput);
      await framed.screenshot({ path: path.join(screenshots, 'job-detail-rerun.png'), fullPage: true });

      // A job made through OpenAI's API keeps OpenAI's field names, which POST /v1/jobs cannot take.
      const sora = await call(`${queue.url}/v1/videos`, {
        key: testKey,
        body: { model: 'sora-2', prompt: 'A kite', seconds: '4' },
      });
      await framed.goto(`${queue.url}/library/${String(sora.body['id'])}`);
      await framed.getByRole('button', { name: 'Re-run with the same seed' }).click();
      await expect
        .poll(() => framed.getByRole('alert').textContent())
        .toMatch(/^This job was made through the openai API, whose input the re-run cannot reuse/);
    } finally {
      await framed.close();
    }
  });

  it('works at phone width (390 px)', async () => {
    const phone = await browser.newPage({
      viewport: { width: 390, height: 844 },
      isMobile: true,
      hasTouch: true,
    });
    try {
      await signIn(phone, live.url);
      await phone.getByRole('link', { name: 'Library' }).click();
      await phone.locator(`li.job-card[data-job-id="${generatedId}"]`).waitFor();
      expect(await phone.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(390);
      await phone.screenshot({ path: path.join(screenshots, 'phone-library.png'), fullPage: true });
      await phone.getByRole('link', { name: 'Playground' }).click();
      await phone.getByLabel('Prompt').waitFor();
      expect(await phone.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(390);
      await phone.screenshot({ path: path.join(screenshots, 'phone-playground.png'), fullPage: true });
      await phone.goto(`${live.url}/library/${generatedId}`);
      await phone.getByRole('heading', { name: `Job ${generatedId}` }).waitFor();
      expect(await phone.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(390);
      await phone.screenshot({ path: path.join(screenshots, 'phone-job-detail.png'), fullPage: true });
    } finally {
      await phone.close();
    }
  });
});
