import type { io } from '@tensorflow/tfjs';
import { classifierFrameBytes, classifierFrameSize } from './frame-sampler.ts';
import { nsfwClasses } from './safety-policy.ts';

/** A loaded classifier: scores of one 224 × 224 rgb24 frame, in {@link nsfwClasses} order. */
export interface NsfwModel {
  readonly name: string;
  classify(frame: Uint8Array): Promise<number[]>;
}

/** The model's name as recorded in job metadata. */
export const nsfwModelName = 'nsfwjs 4.4 MobileNetV2 (tfjs cpu)';

/**
 * Loads nsfwjs's MobileNetV2 from the weights that ship inside the npm package (a base64 shard
 * and the layers JSON, imported as modules) onto TensorFlow.js's pure-JS CPU backend. Nothing is
 * fetched: the weights reach tfjs through an in-memory IOHandler, not a URL, and nsfwjs's own
 * `load()` is bypassed because it logs a hosting hint on every call.
 *
 * Takes about 2 s and some 20 MB; call it once per process (see {@link NsfwClassifier}).
 */
export async function loadNsfwModel(): Promise<NsfwModel> {
  const tf = await import('@tensorflow/tfjs');
  // Production mode skips per-op debug checks and the "install tfjs-node" banner.
  tf.enableProdMode();
  await tf.setBackend('cpu');
  const { NSFWJS } = await import('nsfwjs/core');
  const { MobileNetV2Model } = await import('nsfwjs/models/mobilenet_v2');

  const modelJson = (await MobileNetV2Model.modelJson()).default;
  // Bundles are listed shard 1…n, the order of the manifest's paths that tfjs expects.
  const shards = await Promise.all(
    MobileNetV2Model.weightBundles.map(async (bundle) => (await bundle()).default),
  );
  const handler: io.IOHandler = {
    load: () => {
      const weightSpecs = (modelJson.weightsManifest ?? []).flatMap((group) => group.weights);
      const weightData = Buffer.concat(shards.map((shard) => Buffer.from(shard, 'base64')));
      return Promise.resolve({
        modelTopology: modelJson.modelTopology,
        weightSpecs,
        weightData: weightData.buffer.slice(
          weightData.byteOffset,
          weightData.byteOffset + weightData.byteLength,
        ),
      });
    },
  };
  const model = new NSFWJS(handler, { size: classifierFrameSize });
  await model.load();

  return {
    name: nsfwModelName,
    async classify(frame: Uint8Array): Promise<number[]> {
      if (frame.byteLength !== classifierFrameBytes) {
        throw new Error(`a frame must be ${classifierFrameBytes} bytes of rgb24, got ${frame.byteLength}`);
      }
      const input = tf.tensor3d(frame, [classifierFrameSize, classifierFrameSize, 3], 'int32');
      try {
        const output = model.infer(input);
        const scores = Array.from(await output.data());
        output.dispose();
        if (scores.length !== nsfwClasses.length) throw new Error(`the model gave ${scores.length} scores`);
        return scores;
      } finally {
        input.dispose();
      }
    },
  };
}
