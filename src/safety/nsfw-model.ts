import { access, constants } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type * as TensorFlow from '@tensorflow/tfjs';
import type { NSFWJS } from 'nsfwjs/core';
import type { FusedNetwork, KerasModelConfig } from './fused-layers.ts';
import { compileFusedNetwork } from './fused-layers.ts';
import { classifierFrameBytes, classifierFrameSize } from './frame-sampler.ts';
import { nsfwClasses } from './safety-policy.ts';

/** The TensorFlow.js backend a model runs on: WebAssembly with or without SIMD, or pure JS. */
export type NsfwBackend = 'wasm-simd' | 'wasm' | 'cpu';

/** A loaded classifier: scores of one 224 × 224 rgb24 frame, in {@link nsfwClasses} order. */
export interface NsfwModel {
  readonly name: string;
  readonly backend: NsfwBackend;
  /** Why WebAssembly was not used, when it was wanted and the model fell back to the CPU backend. */
  readonly fallbackReason: string | undefined;
  classify(frame: Uint8Array): Promise<number[]>;
}

export interface NsfwModelOptions {
  /** `wasm` (default) tries WebAssembly first and falls back to `cpu`; `cpu` never tries it. */
  readonly backend?: 'wasm' | 'cpu' | undefined;
  /** Folder holding the `.wasm` binaries; defaults to the installed package's own `dist` folder. */
  readonly wasmFolder?: string | undefined;
  /**
   * Runs the network as fused ops ({@link compileFusedNetwork}; default) rather than layer by
   * layer through nsfwjs. The scores are the same; `false` is there to show it.
   */
  readonly fused?: boolean | undefined;
}

/** The model's name as recorded in job metadata, with the backend it runs on. */
export function nsfwModelName(backend: NsfwBackend): string {
  return `nsfwjs 4.4 MobileNetV2 (tfjs ${backend})`;
}

/**
 * Loads nsfwjs's MobileNetV2 from the weights that ship inside the npm package (a base64 shard
 * and the layers JSON, imported as modules). Nothing is fetched: the weights reach tfjs through
 * an in-memory IOHandler, not a URL, and nsfwjs's own `load()` is bypassed because it logs a
 * hosting hint on every call.
 *
 * The backend is TensorFlow.js's WebAssembly one (XNNPACK kernels, SIMD when the runtime has it),
 * its binary read from disk: about 60 ms a frame here against 1.1–1.9 s on the pure-JS CPU
 * backend, with the same scores to four decimals. When WebAssembly cannot start, the model runs
 * on the CPU backend instead and says why in `fallbackReason`: slower, never wrong. The network
 * then runs as fused ops compiled from the layer list (decision 0023): ~26 ms a frame, same scores.
 *
 * Call it once per process (see {@link NsfwClassifier}); tfjs's backend is process-global.
 */
export async function loadNsfwModel(options: NsfwModelOptions = {}): Promise<NsfwModel> {
  const tf = await import('@tensorflow/tfjs');
  // Production mode skips per-op debug checks, the "install tfjs-node" banner and tfjs's own
  // console warnings (a failed backend start is reported through `fallbackReason` instead).
  tf.enableProdMode();
  const chosen = await chooseBackend(tf, options);
  const { NSFWJS } = await import('nsfwjs/core');
  const { MobileNetV2Model } = await import('nsfwjs/models/mobilenet_v2');

  const modelJson = (await MobileNetV2Model.modelJson()).default;
  // Bundles are listed shard 1…n, the order of the manifest's paths that tfjs expects.
  const shards = await Promise.all(
    MobileNetV2Model.weightBundles.map(async (bundle) => (await bundle()).default),
  );
  const handler: TensorFlow.io.IOHandler = {
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
  const layers = model.model;
  // A layers model (the packaged MobileNetV2 is one) runs about twice as fast as fused ops.
  const network =
    options.fused !== false && layers instanceof tf.LayersModel
      ? compileFusedNetwork(tf, kerasModelConfig(modelJson.modelTopology), (name) =>
          layers.getLayer(name).getWeights(),
        )
      : undefined;

  return {
    name: nsfwModelName(chosen.backend),
    backend: chosen.backend,
    fallbackReason: chosen.fallbackReason,
    async classify(frame: Uint8Array): Promise<number[]> {
      if (frame.byteLength !== classifierFrameBytes) {
        throw new Error(`a frame must be ${classifierFrameBytes} bytes of rgb24, got ${frame.byteLength}`);
      }
      const output =
        network === undefined ? inferLayerByLayer(tf, model, frame) : runFused(tf, network, frame);
      try {
        const scores = Array.from(await output.data());
        if (scores.length !== nsfwClasses.length) throw new Error(`the model gave ${scores.length} scores`);
        return scores;
      } finally {
        output.dispose();
      }
    },
  };
}

/** The layer list of a Keras functional model's topology JSON (`model_config.config`). */
function kerasModelConfig(topology: unknown): KerasModelConfig {
  const config = (topology as { model_config?: { config?: { layers?: unknown } } } | undefined)?.model_config
    ?.config;
  if (!Array.isArray(config?.layers)) throw new Error('the packaged model is not a Keras functional model');
  return config as KerasModelConfig;
}

/** The frame as nsfwjs feeds it to the network: a batch of one, each byte divided by 255. */
function normalized(tf: typeof TensorFlow, frame: Uint8Array): TensorFlow.Tensor4D {
  const values = new Float32Array(frame.length);
  for (let index = 0; index < frame.length; index += 1) values[index] = (frame[index] ?? 0) / 255;
  return tf.tensor4d(values, [1, classifierFrameSize, classifierFrameSize, 3]);
}

/** The fused network's path; the input is released as soon as the network has run. */
function runFused(tf: typeof TensorFlow, network: FusedNetwork, frame: Uint8Array): TensorFlow.Tensor {
  const input = normalized(tf, frame);
  try {
    return network.run(input);
  } finally {
    input.dispose();
  }
}

/** nsfwjs's own path: the layers model run one layer at a time. */
function inferLayerByLayer(tf: typeof TensorFlow, model: NSFWJS, frame: Uint8Array): TensorFlow.Tensor {
  const input = tf.tensor3d(frame, [classifierFrameSize, classifierFrameSize, 3], 'int32');
  try {
    return model.infer(input);
  } finally {
    input.dispose();
  }
}

/**
 * Switches tfjs to WebAssembly when asked and possible, else to the CPU backend. The binary
 * (SIMD or plain, as the runtime supports) is checked for on disk first, so a missing file gives
 * a reason naming it; tfjs itself only answers `false` when a backend fails to start.
 * Multithreaded WebAssembly is never tried: tfjs does not support it under Node, and the worker
 * shares two cores with ffmpeg anyway.
 */
async function chooseBackend(
  tf: typeof TensorFlow,
  options: NsfwModelOptions,
): Promise<{ backend: NsfwBackend; fallbackReason: string | undefined }> {
  let fallbackReason: string | undefined;
  if (options.backend !== 'cpu') {
    try {
      const wasm = await import('@tensorflow/tfjs-backend-wasm');
      const folder = options.wasmFolder ?? packagedWasmFolder();
      const simd = (await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT')) === true;
      const binary = path.join(folder, simd ? 'tfjs-backend-wasm-simd.wasm' : 'tfjs-backend-wasm.wasm');
      await access(binary, constants.R_OK);
      // A plain path, not a URL: under Node, Emscripten reads it with fs, never with fetch.
      wasm.setWasmPaths(folder.endsWith(path.sep) ? folder : `${folder}${path.sep}`);
      if (await tf.setBackend('wasm')) return { backend: simd ? 'wasm-simd' : 'wasm', fallbackReason };
      fallbackReason = `tfjs could not start its wasm backend from ${binary}`;
    } catch (error) {
      fallbackReason = (error as Error).message;
    }
  }
  if (!(await tf.setBackend('cpu'))) throw new Error('tfjs could not start its cpu backend');
  return { backend: 'cpu', fallbackReason };
}

/** `node_modules/@tensorflow/tfjs-backend-wasm/dist`, where the package ships its binaries. */
function packagedWasmFolder(): string {
  return path.dirname(fileURLToPath(import.meta.resolve('@tensorflow/tfjs-backend-wasm')));
}
