import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import type { KerasModelConfig } from './fused-layers.ts';
import { compileFusedNetwork } from './fused-layers.ts';
import { classifierFrameBytes } from './frame-sampler.ts';
import { loadNsfwModel } from './nsfw-model.ts';

/** A reproducible pseudo-random frame: enough texture to move every class's score. */
function noiseFrame(seed: number): Uint8Array {
  const frame = new Uint8Array(classifierFrameBytes);
  let state = seed;
  for (let index = 0; index < frame.length; index += 1) {
    state = (Math.imul(state, 1_103_515_245) + 12_345) >>> 0;
    frame[index] = state >>> 24;
  }
  return frame;
}

function stripesFrame(): Uint8Array {
  const frame = new Uint8Array(classifierFrameBytes);
  for (let index = 0; index < frame.length; index += 1)
    frame[index] = Math.floor(index / 3 / 8) % 2 === 0 ? 235 : 20;
  return frame;
}

/** The layers JSON of a tfjs model, as Keras writes it (the form the packaged model ships in). */
function kerasConfig(model: tf.LayersModel): KerasModelConfig {
  const json = model.toJSON(null, false) as unknown as { config: KerasModelConfig };
  return json.config;
}

/** Gives every weight of a model (batch-norm statistics included) reproducible random values. */
function randomiseWeights(model: tf.LayersModel, seed: number): void {
  let state = seed;
  const random = () => {
    state = (Math.imul(state, 1_103_515_245) + 12_345) >>> 0;
    return state / 2 ** 32;
  };
  for (const layer of model.layers) {
    const names = layer.weights.map((variable) => variable.name);
    const weights = layer.getWeights().map((weight, index) => {
      const values = Float32Array.from({ length: weight.size }, () => random() - 0.5);
      // A variance must be positive; a realistic one is away from zero.
      if (names[index]?.includes('variance') === true)
        values.forEach((value, at) => (values[at] = 0.5 + value));
      return tf.tensor(values, weight.shape);
    });
    layer.setWeights(weights);
  }
}

describe('compileFusedNetwork', () => {
  it('computes what the layers model computes, in fewer ops: the packaged MobileNetV2', async () => {
    const layerByLayer = await loadNsfwModel({ fused: false });
    const fused = await loadNsfwModel();
    const frames = [
      new Uint8Array(classifierFrameBytes).fill(128),
      stripesFrame(),
      noiseFrame(7),
      noiseFrame(11),
    ];
    const tensorsBefore = tf.memory().numTensors;
    for (const frame of frames) {
      const expected = await layerByLayer.classify(frame);
      const actual = await fused.classify(frame);
      expect(actual).toHaveLength(5);
      actual.forEach((score, index) => expect(score).toBeCloseTo(expected[index] ?? Number.NaN, 5));
    }
    // The four frames do not all score alike, so the comparison above compared something.
    const firsts = await Promise.all(frames.map(async (frame) => (await fused.classify(frame))[0]));
    expect(new Set(firsts.map((score) => score?.toFixed(3))).size).toBeGreaterThan(2);
    // Every intermediate tensor of every call was released.
    expect(tf.memory().numTensors).toBe(tensorsBefore);
  }, 60_000);

  it('folds batch normalisation, ReLU6 and zero padding into the convolutions of any such model', () => {
    const input = tf.input({ shape: [9, 9, 4] });
    const padded = tf.layers
      .zeroPadding2d({
        padding: [
          [0, 1],
          [0, 1],
        ],
      })
      .apply(input) as tf.SymbolicTensor;
    const convolved = tf.layers
      .conv2d({ filters: 6, kernelSize: 3, strides: 2, padding: 'valid', useBias: false })
      .apply(padded) as tf.SymbolicTensor;
    const normalised = tf.layers.batchNormalization({ epsilon: 1e-3 }).apply(convolved) as tf.SymbolicTensor;
    const activated = tf.layers.reLU({ maxValue: 6 }).apply(normalised) as tf.SymbolicTensor;
    const depthwise = tf.layers
      .depthwiseConv2d({ kernelSize: 3, padding: 'same', useBias: true })
      .apply(activated) as tf.SymbolicTensor;
    const depthwiseNormalised = tf.layers.batchNormalization().apply(depthwise) as tf.SymbolicTensor;
    const sum = tf.layers.add().apply([activated, depthwiseNormalised]) as tf.SymbolicTensor;
    const pooled = tf.layers.globalAveragePooling2d({}).apply(sum) as tf.SymbolicTensor;
    const dropped = tf.layers.dropout({ rate: 0.5 }).apply(pooled) as tf.SymbolicTensor;
    const output = tf.layers.dense({ units: 3, activation: 'softmax' }).apply(dropped) as tf.SymbolicTensor;
    const model = tf.model({ inputs: input, outputs: output });
    randomiseWeights(model, 42);

    const network = compileFusedNetwork(tf, kerasConfig(model), (name) => model.getLayer(name).getWeights());
    // Nine layers after the input; pad + conv + BN + ReLU and conv + BN each became one op,
    // dropout none: conv, depthwise, add, pool, dense.
    expect(network.layers).toBe(10);
    expect(network.ops).toBe(5);

    const batch = tf.randomUniform([2, 9, 9, 4], 0, 1, 'float32', 3) as tf.Tensor4D;
    const expected = (model.predict(batch) as tf.Tensor).arraySync() as number[][];
    const actual = network.run(batch).arraySync() as number[][];
    expect(actual).toHaveLength(2);
    actual
      .flat()
      .forEach((value, index) => expect(value).toBeCloseTo(expected.flat()[index] ?? Number.NaN, 5));
    // A real difference between the two inputs, so a constant output would not pass.
    expect(expected[0]?.[0]).not.toBeCloseTo(expected[1]?.[0] ?? Number.NaN, 4);
  });

  it('refuses a layer kind or option it does not model, at compile time', () => {
    const input = tf.input({ shape: [8, 8, 2] });
    const dilated = tf.layers
      .conv2d({ filters: 2, kernelSize: 3, dilationRate: 2, padding: 'same' })
      .apply(input) as tf.SymbolicTensor;
    const model = tf.model({ inputs: input, outputs: dilated });
    expect(() =>
      compileFusedNetwork(tf, kerasConfig(model), (name) => model.getLayer(name).getWeights()),
    ).toThrow(/dilated convolutions are not supported/);

    const vector = tf.input({ shape: [4] });
    const squashed = tf.layers.dense({ units: 2, activation: 'tanh' }).apply(vector) as tf.SymbolicTensor;
    const other = tf.model({ inputs: vector, outputs: squashed });
    expect(() =>
      compileFusedNetwork(tf, kerasConfig(other), (name) => other.getLayer(name).getWeights()),
    ).toThrow(/activation tanh is not supported/);
  });
});
