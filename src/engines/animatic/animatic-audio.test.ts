import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GenerationTask, LocalMedia } from '../engine.ts';
import { AnimaticEngine } from './animatic-engine.ts';
import {
  animaticTask,
  audioSamples,
  expectOutput,
  fontFile,
  makeVideo,
  npmBinaries,
  probe,
  renderAnimatic,
  rmsBetween,
  sha256,
  systemBinaries,
} from './animatic-test-support.ts';

// The animatic soundtrack: quoted dialogue spoken by eSpeak NG, reference audio as the
// soundtrack, levels, exact length and determinism, measured on the decoded AAC.
const run = promisify(execFile);
let folder: string;
/** 2 s of a 6 kHz tone as MP3: a band the meadow ambience leaves almost empty. */
let tone: LocalMedia;
let clip: LocalMedia;

const speechBand = 'highpass=f=300,highpass=f=300,lowpass=f=3400,lowpass=f=3400';
const toneBand = 'bandpass=f=6000:width_type=q:w=8,bandpass=f=6000:width_type=q:w=8';

beforeAll(async () => {
  folder = await mkdtemp(path.join(tmpdir(), 'reelgate-animatic-audio-'));
  const tonePath = path.join(folder, 'tone');
  await run(systemBinaries.ffmpeg, [
    ...['-v', 'error', '-f', 'lavfi', '-i', 'sine=f=6000:r=44100:d=2', '-af', 'volume=0.3'],
    ...['-c:a', 'libmp3lame', '-b:a', '128k', '-f', 'mp3', '-y', tonePath],
  ]);
  tone = { path: tonePath, kind: 'audio', role: 'reference_audio', durationSeconds: 2 };
  clip = {
    path: await makeVideo(path.join(folder, 'clip'), 'testsrc2=s=864x496:r=24', { seconds: 2 }),
    kind: 'video',
    role: 'reference_video',
    width: 864,
    height: 496,
    durationSeconds: 2,
  };
});

afterAll(async () => {
  await rm(folder, { recursive: true, force: true });
});

const scene = 'A quiet meadow at noon, static shot.';

function task(overrides: Partial<GenerationTask>): GenerationTask {
  return animaticTask({ durationSeconds: 4, generateAudio: true, prompt: scene, seed: 21, ...overrides });
}

interface Spoken {
  readonly text: string;
  readonly voice: string;
  readonly startSeconds: number;
  readonly endSeconds: number;
}

describe('AnimaticEngine dialogue', () => {
  it('speaks quoted dialogue: speech-band energy while the line is spoken, far above the same render without it', async () => {
    const withLine = task({ prompt: `${scene} She says: "Hello there, we should head home now."` });
    const without = task({ prompt: `${scene} She says nothing.` });
    const [spoken, silent] = await Promise.all([
      renderAnimatic(folder, withLine),
      renderAnimatic(folder, without),
    ]);
    await expectOutput(spoken.file, withLine);
    await expectOutput(silent.file, without);

    const audio = spoken.metadata['audio'] as { dialogue: Spoken[]; bed: string };
    expect(audio.dialogue).toHaveLength(1);
    const line = audio.dialogue[0];
    if (line === undefined) throw new Error('no line');
    expect(line).toMatchObject({
      text: 'Hello there, we should head home now.',
      voice: expect.stringMatching(/^en-us\+/),
    });
    expect(line.startSeconds).toBeCloseTo(0.3, 3);
    expect(line.endSeconds).toBeGreaterThan(1.5);
    expect(line.endSeconds).toBeLessThan(4);
    // Same bed either way: the words outside the quote pick it.
    expect((silent.metadata['audio'] as { bed: string }).bed).toBe(audio.bed);

    const [speechBandWith, speechBandWithout] = await Promise.all([
      audioSamples(spoken.file, speechBand),
      audioSamples(silent.file, speechBand),
    ]);
    const during = (samples: Float32Array) => rmsBetween(samples, line.startSeconds, line.endSeconds);
    // Threshold: 4× the energy (6 dB), so twice the RMS; measured 2.8× the RMS (9 dB) here.
    expect(during(speechBandWith)).toBeGreaterThan(2 * during(speechBandWithout));
    // Before the line starts, the render with dialogue is no louder (its bed is lowered under speech).
    expect(rmsBetween(speechBandWith, 0.05, 0.25)).toBeLessThanOrEqual(
      1.05 * rmsBetween(speechBandWithout, 0.05, 0.25),
    );
  });

  it('waits for the time-coded shot that quotes the line and speaks non-Latin script in its language', async () => {
    const input = task({
      prompt: '[0-2s]: A quiet meadow at noon, static. [2-4s]: 她说：“我们回家吧。”',
    });
    const rendered = await renderAnimatic(folder, input);
    await expectOutput(rendered.file, input);
    const audio = rendered.metadata['audio'] as { dialogue: Spoken[] };
    expect(audio.dialogue).toMatchObject([{ text: '我们回家吧。', voice: expect.stringMatching(/^cmn\+/) }]);
    expect(audio.dialogue[0]?.startSeconds).toBeCloseTo(2.3, 3);
  });
});

describe('AnimaticEngine reference audio', () => {
  it('mixes the reference audio in as the soundtrack, from the start, for its length', async () => {
    const withTone = task({ mode: 'reference', audios: [tone] });
    const without = task({});
    const [mixed, bed] = await Promise.all([
      renderAnimatic(folder, withTone),
      renderAnimatic(folder, without),
    ]);
    await expectOutput(mixed.file, withTone);
    const [toneWith, toneWithout] = await Promise.all([
      audioSamples(mixed.file, toneBand),
      audioSamples(bed.file, toneBand),
    ]);
    // 10× (20 dB) above the bed in the tone's band while it plays, and gone after it ends.
    expect(rmsBetween(toneWith, 0.2, 1.8)).toBeGreaterThan(10 * rmsBetween(toneWithout, 0.2, 1.8));
    expect(rmsBetween(toneWith, 2.3, 3.5)).toBeLessThan(0.1 * rmsBetween(toneWith, 0.2, 1.8));
    expect(mixed.metadata['audio']).toMatchObject({
      referenceAudio: [{ audio: 0, startSeconds: 0, endSeconds: 2 }],
    });
  });

  it('renders no audio stream at all when audio is off, whatever audio inputs there are', async () => {
    const input = task({
      mode: 'reference',
      audios: [tone],
      generateAudio: false,
      prompt: `${scene} "Hello"`,
    });
    const rendered = await renderAnimatic(folder, input);
    await expectOutput(rendered.file, input);
    expect(rendered.metadata['audio']).toBeNull();
  });
});

describe('AnimaticEngine soundtrack on both ffmpeg builds', () => {
  it.each([
    ['system ffmpeg 5.1', systemBinaries],
    ['2018 static ffmpeg from npm', npmBinaries],
  ])(
    'extends a video with dialogue and reference audio, ends audio with the video, and repeats itself byte for byte with the %s',
    async (_, binaries) => {
      const engine = new AnimaticEngine({ binaries, fontFile });
      const input = task({
        mode: 'video-extension',
        durationSeconds: 3,
        videos: [clip],
        audios: [tone],
        prompt: 'Extend the clip, push in. He shouts: "Keep going!"',
      });
      const [first, second] = await Promise.all([
        renderAnimatic(folder, input, { engine }),
        renderAnimatic(folder, input, { engine }),
      ]);
      await expectOutput(first.file, input, binaries);
      const facts = await probe(first.file, binaries);
      // One frame is 1/24 s; the audio ends within it of the video (the encoder's priming aside).
      expect(
        Math.abs((facts.audio?.durationSeconds ?? 0) - (facts.video?.durationSeconds ?? 0)),
      ).toBeLessThanOrEqual(1 / 24);
      expect(await sha256(first.file)).toBe(await sha256(second.file));
      expect(first.metadata['audio']).toMatchObject({
        dialogue: [{ text: 'Keep going!' }],
        referenceAudio: [{ audio: 0 }],
      });
    },
  );
});
