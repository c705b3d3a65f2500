import { describe, expect, it } from 'vitest';
import { AppError } from '../domain/app-error.ts';
import type { LocalMedia } from '../engines/engine.ts';
import type { FrameTap, SampleFramesRequest } from '../safety/frame-sampler.ts';
import type { ClassifierStats, FrameClassifier } from '../safety/nsfw-classifier.ts';
import type { SafetyMode, SafetyPolicy } from '../safety/safety-policy.ts';
import { SafetyGate } from './safety-gate.ts';

// Each fake frame is one byte: the "Porn" score in hundredths. Scores: Drawing, Hentai, Neutral, Porn, Sexy.
const fakeClassifier = (): FrameClassifier & { calls: number } => {
  const classifier = {
    calls: 0,
    classify(frame: Uint8Array): Promise<number[]> {
      classifier.calls += 1;
      const porn = (frame[0] ?? 0) / 100;
      return Promise.resolve([0.1, 0, 0.9 - porn, porn, 0]);
    },
    warm: () => Promise.resolve(),
    stats: (): ClassifierStats => ({
      model: 'fake',
      backend: 'wasm-simd',
      loads: 1,
      loadMs: 3,
      framesClassified: classifier.calls,
    }),
    close: () => Promise.resolve(),
  };
  return classifier;
};

/** Files named `a-b-c` hold frames scoring a, b, c (hundredths), one second apart. */
const fakeSampler = (requests: SampleFramesRequest[] = []) => {
  return (request: Omit<SampleFramesRequest, 'ffmpeg'>) => {
    requests.push({ ...request, ffmpeg: 'ffmpeg' });
    const values = request.file.split('-').map(Number);
    return Promise.resolve({
      frames: values.map((value) => Uint8Array.of(value)),
      times: values.map((_, index) => index),
    });
  };
};

function gate(mode: SafetyMode, classifier = fakeClassifier(), requests: SampleFramesRequest[] = []) {
  const policy: SafetyPolicy = { mode, categories: ['Porn'], threshold: 0.5, frameIntervalSeconds: 1 };
  return new SafetyGate({ policy, classifier, sampleFrames: fakeSampler(requests) });
}

const signal = new AbortController().signal;
const image = (file: string): LocalMedia => ({ path: file, kind: 'image', width: 640, height: 480 });
const video = (file: string): LocalMedia => ({ path: file, kind: 'video', durationSeconds: 3 });

describe('SafetyGate', () => {
  it('records the maximum of each class over the frames and the frame that scored it', async () => {
    const report = await gate('flag').checkOutput({ path: '10-30-20', durationSeconds: 3 }, signal);
    expect(report).toMatchObject({
      stage: 'output',
      nsfw_detected: false,
      checked_frames: 3,
      matched: [],
      scores: {
        Porn: { score: 0.3, source: 'output', time_seconds: 1 },
        Neutral: { score: 0.8, source: 'output', time_seconds: 0 },
        Drawing: { score: 0.1, source: 'output', time_seconds: 0 },
      },
    });
    expect(report?.elapsed_ms).toBeGreaterThanOrEqual(0);
  });

  it('under flag marks a frame over the threshold and lets the job go on', async () => {
    const report = await gate('flag').checkOutput({ path: '10-70-20', durationSeconds: 3 }, signal);
    expect(report?.nsfw_detected).toBe(true);
    expect(report?.matched).toEqual(['Porn']);
  });

  it('under block fails with content_policy_violation naming the stage, the class and the frame', async () => {
    const error = await gate('block')
      .checkOutput({ path: '10-70-20', durationSeconds: 3 }, signal)
      .catch((thrown: unknown) => thrown);
    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).code).toBe('content_policy_violation');
    expect((error as AppError).retryable).toBe(false);
    expect((error as AppError).message).toBe(
      'blocked by the content policy at stage output: Porn 0.7 ≥ 0.5 at 1 s',
    );
  });

  it('checks reference images and video frames at stage input, naming the input', async () => {
    const requests: SampleFramesRequest[] = [];
    const inputs = { images: [image('5'), image('80')], videos: [video('1-2-3')], audios: [] };
    const flagged = await gate('flag', fakeClassifier(), requests).checkInputs(inputs, signal);
    expect(flagged).toMatchObject({ stage: 'input', nsfw_detected: true, checked_frames: 5 });
    expect(flagged?.scores.Porn).toEqual({ score: 0.8, source: 'images[1]', time_seconds: 0 });
    expect(requests.map((request) => [request.kind, request.durationSeconds])).toEqual([
      ['image', undefined],
      ['image', undefined],
      ['video', 3],
    ]);
    await expect(gate('block').checkInputs(inputs, signal)).rejects.toThrow(
      'blocked by the content policy at stage input: Porn 0.8 ≥ 0.5 in images[1]',
    );
  });

  it('has nothing to check without image or video inputs', async () => {
    const classifier = fakeClassifier();
    expect(
      await gate('block', classifier).checkInputs({ images: [], videos: [], audios: [] }, signal),
    ).toBeNull();
    expect(classifier.calls).toBe(0);
  });

  it('classifies streamed frames while the file is still decoding', async () => {
    const classifier = fakeClassifier();
    let classifiedBeforeDecodingEnded = -1;
    const streaming = new SafetyGate({
      policy: { mode: 'flag', categories: ['Porn'], threshold: 0.5, frameIntervalSeconds: 1 },
      classifier,
      sampleFrames: async (request) => {
        const frames = [Uint8Array.of(10), Uint8Array.of(20), Uint8Array.of(30)];
        frames.forEach((frame, index) => request.onFrame?.(frame, index));
        await new Promise((resolve) => setImmediate(resolve));
        classifiedBeforeDecodingEnded = classifier.calls;
        return { frames, times: [0, 1, 2] };
      },
    });
    const report = await streaming.checkOutput({ path: 'streamed', durationSeconds: 3 }, signal);
    expect(classifiedBeforeDecodingEnded).toBe(3);
    expect(classifier.calls).toBe(3);
    expect(report).toMatchObject({ checked_frames: 3, scores: { Porn: { score: 0.3, time_seconds: 2 } } });
  });

  it('fails with the sampler when a file cannot be decoded, after its frames in flight settle', async () => {
    const classifier = fakeClassifier();
    const failing = new SafetyGate({
      policy: { mode: 'block', categories: ['Porn'], threshold: 0.5, frameIntervalSeconds: 1 },
      classifier,
      sampleFrames: (request) => {
        request.onFrame?.(Uint8Array.of(90), 0);
        return Promise.reject(new AppError('input_rejected', 'ffmpeg exited with code 1'));
      },
    });
    const inputs = { images: [image('a'), image('b')], videos: [], audios: [] };
    await expect(failing.checkInputs(inputs, signal)).rejects.toThrow('ffmpeg exited with code 1');
    expect(classifier.calls).toBe(1);
  });

  it('classifies identical frames once', async () => {
    const classifier = fakeClassifier();
    const report = await gate('flag', classifier).checkOutput(
      { path: '4-4-4-9', durationSeconds: 4 },
      signal,
    );
    expect(report?.checked_frames).toBe(4);
    expect(classifier.calls).toBe(2);
  });

  it('under off decodes and classifies nothing and reports nsfw_detected null', async () => {
    const classifier = fakeClassifier();
    const requests: SampleFramesRequest[] = [];
    const off = gate('off', classifier, requests);
    const input = await off.checkInputs({ images: [image('90')], videos: [], audios: [] }, signal);
    const output = await off.checkOutput({ path: '90-90', durationSeconds: 2 }, signal);
    expect([input, output, classifier.calls, requests.length]).toEqual([null, null, 0, 0]);
    expect(off.report(input, output)).toEqual({
      nsfw_detected: null,
      policy: { mode: 'off', categories: ['Porn'], threshold: 0.5, frame_interval_seconds: 1 },
      input: null,
      output: null,
    });
  });

  it('reports the output verdict, both stages and the process classifier', async () => {
    const flag = gate('flag');
    const output = await flag.checkOutput({ path: '10-20', durationSeconds: 2 }, signal);
    expect(flag.report(null, output)).toMatchObject({
      nsfw_detected: false,
      policy: { mode: 'flag' },
      input: null,
      output: { stage: 'output', checked_frames: 2 },
      classifier: { model: 'fake', backend: 'wasm-simd', process_loads: 1, load_ms: 3 },
    });
  });

  describe('checkOutputWhile (frames from the derived-images decode)', () => {
    /** A decode that streams frames scoring `values` (hundredths) at 0, 1, 2 … s through the tap. */
    const streamingDecode = (values: number[], log: string[] = []) => {
      return async (tap: FrameTap | undefined) => {
        if (tap === undefined) throw new Error('expected a frame tap');
        log.push(tap.filter);
        values.forEach((value, index) => {
          tap.addFrame(Uint8Array.of(value));
          tap.addStderrLine(`[Parsed_showinfo_9 @ 0x1] n:${index} pts:${index * 12_288} pts_time:${index}`);
        });
        await new Promise((resolve) => setImmediate(resolve));
        log.push('decoded');
        return 'images';
      };
    };

    it('classifies the frames handed through the tap and decodes nothing of its own', async () => {
      const classifier = fakeClassifier();
      const requests: SampleFramesRequest[] = [];
      const log: string[] = [];
      const [report, images] = await gate('flag', classifier, requests).checkOutputWhile(
        { path: 'ignored', durationSeconds: 3.5 },
        signal,
        streamingDecode([10, 30, 20, 40], log),
      );
      expect(images).toBe('images');
      expect(requests).toHaveLength(0);
      // The sampler's rules: one a second, the final quarter second (here 3.25 s on) as the tail.
      expect(log[0]).toBe(
        "select='isnan(prev_selected_t)+gte(t-prev_selected_t\\,1)+gte(t\\,3.25)',scale=224:224:flags=bilinear,showinfo",
      );
      expect(report).toMatchObject({
        stage: 'output',
        checked_frames: 4,
        scores: { Porn: { score: 0.4, source: 'output', time_seconds: 3 } },
      });
      expect(classifier.calls).toBe(4);
    });

    it('under block fails only after the decode has finished, naming the stage', async () => {
      const log: string[] = [];
      const error = await gate('block')
        .checkOutputWhile({ path: 'ignored', durationSeconds: 3 }, signal, streamingDecode([10, 70], log))
        .catch((thrown: unknown) => thrown);
      expect((error as AppError).code).toBe('content_policy_violation');
      expect((error as AppError).message).toBe(
        'blocked by the content policy at stage output: Porn 0.7 ≥ 0.5 at 1 s',
      );
      expect(log.at(-1)).toBe('decoded');
    });

    it('decodes the output itself when the decode hands over no frame', async () => {
      const requests: SampleFramesRequest[] = [];
      const [report] = await gate('flag', fakeClassifier(), requests).checkOutputWhile(
        { path: '10-80', durationSeconds: 2 },
        signal,
        () => Promise.resolve('images'),
      );
      expect(requests.map((request) => [request.file, request.errorCode])).toEqual([
        ['10-80', 'output_invalid'],
      ]);
      expect(report).toMatchObject({ checked_frames: 2, nsfw_detected: true });
    });

    it('fails with the decode, after the frames in flight settle', async () => {
      const classifier = fakeClassifier();
      const failing = gate('block', classifier).checkOutputWhile(
        { path: 'ignored', durationSeconds: 3 },
        signal,
        (tap) => {
          tap?.addFrame(Uint8Array.of(90));
          tap?.addStderrLine('n:0 pts:0 pts_time:0');
          return Promise.reject(new AppError('engine_failed', 'ffmpeg exited with code 1'));
        },
      );
      await expect(failing).rejects.toThrow('ffmpeg exited with code 1');
      expect(classifier.calls).toBe(1);
    });

    it('under off hands the decode no tap and classifies nothing', async () => {
      const classifier = fakeClassifier();
      const taps: (FrameTap | undefined)[] = [];
      const result = await gate('off', classifier).checkOutputWhile(
        { path: '90', durationSeconds: 1 },
        signal,
        (tap) => {
          taps.push(tap);
          return Promise.resolve('images');
        },
      );
      expect([result, taps, classifier.calls]).toEqual([[null, 'images'], [undefined], 0]);
    });
  });
});
