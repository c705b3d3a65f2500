import type * as TensorFlow from '@tensorflow/tfjs';

type Tf = typeof TensorFlow;
type Tensor = TensorFlow.Tensor;
type Tensor4D = TensorFlow.Tensor4D;
type Activation = 'linear' | 'relu' | 'relu6';

/** One Keras layer as the layers JSON describes it (only what the compiler reads). */
export interface KerasLayer {
  readonly class_name: string;
  readonly name: string;
  readonly config: Record<string, unknown>;
  readonly inbound_nodes: readonly (readonly (readonly [string, number, number, unknown])[])[];
}

/** A functional model's `model_config.config`: its layers in topological order. */
export interface KerasModelConfig {
  readonly layers: readonly KerasLayer[];
}

/** A compiled network: float32 NHWC input in, the last layer's output out. */
export interface FusedNetwork {
  readonly inputName: string;
  /** Ops the network runs per call, against the layer count it replaces. */
  readonly ops: number;
  readonly layers: number;
  run(input: Tensor4D): Tensor;
}

/**
 * Compiles a Keras functional model (its layers JSON plus the loaded tfjs LayersModel that holds
 * its weights) into a chain of tfjs *fused* ops, for inference only.
 *
 * Why: tfjs runs a layers model one layer at a time, so MobileNetV2's 52 batch normalisations, 35
 * ReLU6 and 5 zero paddings are each a full pass over a large activation tensor. Here a
 * convolution followed by its batch normalisation (and ReLU) becomes one `tf.fused` convolution:
 * the normalisation is folded into the kernel and a bias (w' = w·γ/√(σ²+ε), b = β − μ·γ/√(σ²+ε)),
 * the ReLU becomes the op's activation, and a zero padding in front of a `valid` convolution
 * becomes that convolution's explicit padding. The arithmetic is the same up to float rounding.
 *
 * Only the layer kinds MobileNet-style classifiers use are understood; any other kind, or an
 * option this does not model (dilation, a depth multiplier other than 1, channels-first data), is
 * an error at compile time, so the caller can keep running the model the ordinary way.
 */
export function compileFusedNetwork(
  tf: Tf,
  modelConfig: KerasModelConfig,
  weightsOf: (layerName: string) => Tensor[],
): FusedNetwork {
  const layers = modelConfig.layers;
  const consumers = new Map<string, string[]>();
  for (const layer of layers)
    for (const source of inputsOf(layer))
      consumers.set(source, [...(consumers.get(source) ?? []), layer.name]);
  const byName = new Map(layers.map((layer) => [layer.name, layer]));
  // A layer folded into its producer: its name answers with the producer's output.
  const aliasOf = new Map<string, string>();
  const steps: ((values: Map<string, Tensor>) => void)[] = [];
  const sole = (name: string): KerasLayer | undefined => {
    const next = consumers.get(name);
    return next?.length === 1 ? byName.get(next[0] ?? '') : undefined;
  };
  const resolve = (name: string) => aliasOf.get(name) ?? name;
  const read = (values: Map<string, Tensor>, name: string): Tensor => {
    const value = values.get(resolve(name));
    if (value === undefined) throw new Error(`layer output ${name} is not computed yet`);
    return value;
  };

  let inputName: string | undefined;
  const padding = new Map<string, [[number, number], [number, number]]>();
  for (const layer of layers) {
    if (aliasOf.has(layer.name)) continue;
    const config = layer.config;
    const [source = ''] = inputsOf(layer);
    switch (layer.class_name) {
      case 'InputLayer':
        inputName = layer.name;
        break;
      case 'ZeroPadding2D': {
        requireChannelsLast(layer);
        const pad = config['padding'] as [[number, number], [number, number]];
        const next = sole(layer.name);
        if (next !== undefined && isConvolution(next) && next.config['padding'] === 'valid') {
          // Absorbed by the convolution that follows, as its explicit padding.
          padding.set(next.name, pad);
          aliasOf.set(layer.name, resolve(source));
          break;
        }
        steps.push((values) => {
          const input = read(values, source) as Tensor4D;
          values.set(layer.name, tf.pad(input, [[0, 0], pad[0], pad[1], [0, 0]]));
        });
        break;
      }
      case 'Conv2D':
      case 'DepthwiseConv2D':
        steps.push(
          compileConvolution(tf, layer, source, padding.get(layer.name), sole, weightsOf, aliasOf, read),
        );
        break;
      case 'BatchNormalization': {
        const [gamma, beta, mean, variance] = weightsOf(layer.name);
        const epsilon = Number(config['epsilon'] ?? 1e-3);
        steps.push((values) => {
          const input = read(values, source);
          values.set(layer.name, tf.batchNorm(input, mean!, variance!, beta, gamma, epsilon));
        });
        break;
      }
      case 'ReLU': {
        const activation = reluKind(layer);
        steps.push((values) => {
          const input = read(values, source);
          values.set(layer.name, activation === 'relu6' ? tf.relu6(input) : tf.relu(input));
        });
        break;
      }
      case 'Add': {
        const [left = '', right = ''] = inputsOf(layer);
        steps.push((values) => values.set(layer.name, tf.add(read(values, left), read(values, right))));
        break;
      }
      case 'AveragePooling2D': {
        requireChannelsLast(layer);
        const size = config['pool_size'] as [number, number];
        const strides = config['strides'] as [number, number];
        const pad = config['padding'] as 'valid' | 'same';
        steps.push((values) =>
          values.set(layer.name, tf.avgPool(read(values, source) as Tensor4D, size, strides, pad)),
        );
        break;
      }
      case 'GlobalAveragePooling2D':
        requireChannelsLast(layer);
        steps.push((values) => values.set(layer.name, tf.mean(read(values, source), [1, 2])));
        break;
      case 'Flatten':
        steps.push((values) => {
          const input = read(values, source);
          values.set(layer.name, tf.reshape(input, [input.shape[0] ?? -1, -1]));
        });
        break;
      case 'Dropout':
        aliasOf.set(layer.name, resolve(source));
        break;
      case 'Dense': {
        const [kernel, bias] = weightsOf(layer.name);
        const useBias = config['use_bias'] !== false;
        const activation = String(config['activation']);
        if (!['linear', 'relu', 'softmax'].includes(activation))
          throw new Error(`dense layer ${layer.name}: activation ${activation} is not supported`);
        steps.push((values) => {
          const product = tf.fused.matMul({
            a: read(values, source) as TensorFlow.Tensor2D,
            b: kernel as TensorFlow.Tensor2D,
            ...(useBias && bias !== undefined ? { bias } : {}),
            activation: activation === 'relu' ? 'relu' : 'linear',
          });
          values.set(layer.name, activation === 'softmax' ? tf.softmax(product) : product);
        });
        break;
      }
      default:
        throw new Error(`layer ${layer.name}: ${layer.class_name} is not supported by the fused compiler`);
    }
  }
  if (inputName === undefined) throw new Error('the model has no InputLayer');
  const output = resolve(layers.at(-1)?.name ?? '');
  const input = inputName;
  return {
    inputName: input,
    ops: steps.length,
    layers: layers.length - 1,
    run(tensor) {
      return tf.tidy(() => {
        const values = new Map<string, Tensor>([[input, tensor]]);
        for (const step of steps) step(values);
        const result = values.get(output);
        if (result === undefined) throw new Error(`the output ${output} was never computed`);
        return result;
      });
    },
  };
}

/**
 * A convolution with the batch normalisation and ReLU that follow it (when they are its only
 * consumers) folded in.
 */
function compileConvolution(
  tf: Tf,
  layer: KerasLayer,
  source: string,
  explicitPadding: [[number, number], [number, number]] | undefined,
  sole: (name: string) => KerasLayer | undefined,
  weightsOf: (layerName: string) => Tensor[],
  aliasOf: Map<string, string>,
  read: (values: Map<string, Tensor>, name: string) => Tensor,
): (values: Map<string, Tensor>) => void {
  requireChannelsLast(layer);
  const config = layer.config;
  const depthwise = layer.class_name === 'DepthwiseConv2D';
  const dilation = config['dilation_rate'] as [number, number] | undefined;
  if (dilation !== undefined && (dilation[0] !== 1 || dilation[1] !== 1))
    throw new Error(`${layer.name}: dilated convolutions are not supported`);
  if (depthwise && Number(config['depth_multiplier'] ?? 1) !== 1)
    throw new Error(`${layer.name}: a depth multiplier other than 1 is not supported`);
  const ownActivation = String(config['activation'] ?? 'linear');
  if (ownActivation !== 'linear' && ownActivation !== 'relu')
    throw new Error(`${layer.name}: activation ${ownActivation} is not supported`);

  const weights = weightsOf(layer.name);
  const channels = weights[0]?.shape[depthwise ? 2 : 3] ?? 0;
  const norm = ownActivation === 'linear' ? sole(layer.name) : undefined;
  const relu = norm?.class_name === 'BatchNormalization' ? sole(norm.name) : undefined;
  let activation: Activation = ownActivation;
  if (norm?.class_name === 'BatchNormalization') {
    aliasOf.set(norm.name, layer.name);
    if (relu?.class_name === 'ReLU') {
      activation = reluKind(relu);
      aliasOf.set(relu.name, layer.name);
    }
  }
  // Only the folded kernel and bias outlive this (tidy disposes the intermediate tensors).
  const { kernel, bias } = tf.tidy(() => {
    const plainKernel = weights[0]!;
    const plainBias = config['use_bias'] === true ? weights[1]! : tf.zeros([channels]);
    if (norm?.class_name !== 'BatchNormalization')
      return { kernel: tf.clone(plainKernel), bias: tf.clone(plainBias) };
    const [gamma, beta, mean, variance] = weightsOf(norm.name);
    const epsilon = Number(norm.config['epsilon'] ?? 1e-3);
    const scale = tf.div(gamma!, tf.sqrt(tf.add(variance!, epsilon)));
    // The kernel's output channel is its last axis; a depthwise kernel's is its third (multiplier 1).
    return {
      kernel: tf.mul(plainKernel, depthwise ? tf.reshape(scale, [1, 1, channels, 1]) : scale),
      bias: tf.add(beta!, tf.mul(tf.sub(plainBias, mean!), scale)),
    };
  });
  const strides = config['strides'] as [number, number];
  const pad: 'same' | 'valid' | [[number, number], [number, number], [number, number], [number, number]] =
    explicitPadding === undefined
      ? (config['padding'] as 'same' | 'valid')
      : [[0, 0], explicitPadding[0], explicitPadding[1], [0, 0]];
  const fusedKernel = kernel as TensorFlow.Tensor4D;
  const fusedBias = bias;
  return (values) => {
    const x = read(values, source) as Tensor4D;
    // tfjs's depthwise kernels take explicit padding exactly as conv2d's do (both go through
    // computeConv2DInfo); only the fused op's declared type leaves it out.
    const output = depthwise
      ? tf.fused.depthwiseConv2d({
          x,
          filter: fusedKernel,
          strides,
          pad: pad as 'valid',
          bias: fusedBias,
          activation,
        })
      : tf.fused.conv2d({ x, filter: fusedKernel, strides, pad, bias: fusedBias, activation });
    values.set(layer.name, output);
  };
}

function inputsOf(layer: KerasLayer): string[] {
  return (layer.inbound_nodes[0] ?? []).map((node) => node[0]);
}

function isConvolution(layer: KerasLayer): boolean {
  return layer.class_name === 'Conv2D' || layer.class_name === 'DepthwiseConv2D';
}

function reluKind(layer: KerasLayer): Activation {
  const config = layer.config;
  if (Number(config['negative_slope'] ?? 0) !== 0 || Number(config['threshold'] ?? 0) !== 0)
    throw new Error(`${layer.name}: only plain ReLU and ReLU6 are supported`);
  const max = config['max_value'];
  if (max === null || max === undefined) return 'relu';
  if (Number(max) === 6) return 'relu6';
  throw new Error(`${layer.name}: ReLU capped at ${String(max)} is not supported`);
}

function requireChannelsLast(layer: KerasLayer): void {
  const format = layer.config['data_format'];
  if (format !== undefined && format !== 'channels_last')
    throw new Error(`${layer.name}: only channels_last data is supported`);
}
