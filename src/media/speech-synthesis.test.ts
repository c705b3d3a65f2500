import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppError } from '../domain/app-error.ts';
import { parsePcmWav, synthesizeSpeech, type SpeechRequest } from './speech-synthesis.ts';

let folder: string;

beforeAll(async () => {
  folder = await mkdtemp(path.join(tmpdir(), 'reelgate-speech-'));
});

afterAll(async () => {
  await rm(folder, { recursive: true, force: true });
});

function request(name: string, overrides: Partial<SpeechRequest> = {}): SpeechRequest {
  return {
    text: 'We ride at dawn.',
    voice: 'en-us+f3',
    wordsPerMinute: 175,
    outputPath: path.join(folder, `${name}.wav`),
    timeoutMs: 20_000,
    signal: new AbortController().signal,
    ...overrides,
  };
}

describe('synthesizeSpeech', () => {
  it('speaks a line offline into a 22 050 Hz mono WAV, the same bytes every time', async () => {
    const first = await synthesizeSpeech(request('first'));
    // eSpeak NG seeds its noise from time(): the second run starts in another second of the clock.
    await setTimeout(1100);
    const second = await synthesizeSpeech(request('second'));
    expect(first.sampleRate).toBe(22_050);
    expect(first.durationSeconds).toBeGreaterThan(0.6);
    expect(first.durationSeconds).toBeLessThan(3);
    expect(first.peak).toBeGreaterThan(0.1);
    expect(first.rms).toBeGreaterThan(0.02);
    expect(await readFile(first.path)).toEqual(await readFile(second.path));
  });

  it('reads the text from stdin, so a line starting with a dash is spoken, not taken as an option', async () => {
    const dashed = await synthesizeSpeech(request('dashed', { text: '--help me, -v now' }));
    expect(dashed.durationSeconds).toBeGreaterThan(0.8);
  });

  it('speaks longer at a slower rate', async () => {
    const [slow, fast] = await Promise.all([
      synthesizeSpeech(request('slow', { wordsPerMinute: 120 })),
      synthesizeSpeech(request('fast', { wordsPerMinute: 300 })),
    ]);
    expect(slow.durationSeconds).toBeGreaterThan(1.5 * fast.durationSeconds);
  });

  it('rejects a bad voice name with the program’s own message, and honours abort and timeout', async () => {
    await expect(synthesizeSpeech(request('bad', { voice: '--evil' }))).rejects.toThrow(/usage/);
    await expect(synthesizeSpeech(request('unknown', { voice: 'xx-nowhere' }))).rejects.toThrow(
      /voice does not exist/,
    );
    const controller = new AbortController();
    const reason = new Error('cancelled');
    const attempt = synthesizeSpeech(request('aborted', { signal: controller.signal }));
    controller.abort(reason);
    await expect(attempt).rejects.toBe(reason);
    await expect(synthesizeSpeech(request('slowly', { timeoutMs: 1 }))).rejects.toMatchObject({
      code: 'engine_failed',
      retryable: true,
    });
  });
});

describe('parsePcmWav', () => {
  it('reads 16-bit mono PCM and refuses anything else', () => {
    const header = Buffer.alloc(44);
    header.write('RIFF', 0, 'ascii');
    header.write('WAVE', 8, 'ascii');
    header.write('fmt ', 12, 'ascii');
    header.writeUInt32LE(16, 16);
    header.writeUInt16LE(1, 20);
    header.writeUInt16LE(1, 22);
    header.writeUInt32LE(8000, 24);
    header.writeUInt16LE(16, 34);
    header.write('data', 36, 'ascii');
    header.writeUInt32LE(4, 40);
    const samples = Buffer.alloc(4);
    samples.writeInt16LE(16384, 0);
    samples.writeInt16LE(-32768, 2);
    const wav = parsePcmWav(Buffer.concat([header, samples]));
    expect(wav.sampleRate).toBe(8000);
    expect([...wav.samples]).toEqual([0.5, -1]);
    const stereo = Buffer.concat([header, samples]);
    stereo.writeUInt16LE(2, 22);
    expect(() => parsePcmWav(stereo)).toThrow(AppError);
    expect(() => parsePcmWav(Buffer.from('hello, not a wav file at all'))).toThrow(/not write a WAV/);
  });
});
