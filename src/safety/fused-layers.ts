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
  return new FusedCompiler(tf, modelConfig.layers, weightsOf).compile();
}

/** Computes one op's output into the map of computed outputs, by layer name. */
type Step = (values: Map<string, Tensor>) => void;
/** Rows then columns, before and after: Keras's ZeroPadding2D `padding`. */
type Padding2D = [[number, number], [number, number]];

/** One compilation: walks the layers in order and emits a step for each one not folded away. */
class FusedCompiler {
  readonly #tf: Tf;
  readonly #layers: readonly KerasLayer[];
  readonly #weightsOf: (layerName: string) => Tensor[];
  readonly #consumers = new Map<string, string[]>();
  readonly #byName: Map<string, KerasLayer>;
  /** A layer folded into its producer: its name answers with the producer's output. */
  readonly #aliasOf = new Map<string, string>();
  /** Explicit padding absorbed from the ZeroPadding2D in front of a convolution. */
  readonly #padding = new Map<string, Padding2D>();

  constructor(tf: Tf, layers: readonly KerasLayer[], weightsOf: (layerName: string) => Tensor[]) {
    this.#tf = tf;
    this.#layers = layers;
    this.#weightsOf = weightsOf;
    this.#byName = new Map(layers.map((layer) => [layer.name, layer]));
    for (const layer of layers)
      for (const source of inputsOf(layer))
        this.#consumers.set(source, [...(this.#consumers.get(source) ?? []), layer.name]);
  }

  compile(): FusedNetwork {
    let input: string | undefined;
    const steps: Step[] = [];
    for (const layer of this.#layers) {
      if (this.#aliasOf.has(layer.name)) continue;
      if (layer.class_name === 'InputLayer') input = layer.name;
      else {
        const step = this.#step(layer);
        if (step !== undefined) steps.push(step);
      }
    }
    if (input === undefined) throw new Error('the model has no InputLayer');
    const inputName = input;
    const output = this.#resolve(this.#layers.at(-1)?.name ?? '');
    const tf = this.#tf;
    return {
      inputName,
      ops: steps.length,
      layers: this.#layers.length - 1,
      run(tensor) {
        return tf.tidy(() => {
          const values = new Map<string, Tensor>([[inputName, tensor]]);
          for (const step of steps) step(values);
          const result = values.get(output);
          if (result === undefined) throw new Error(`the output ${output} was never computed`);
          return result;
        });
      },
    };
  }

  /** The step that computes `layer`, or undefined when it is folded into a neighbour. */
  #step(layer: KerasLayer): Step | undefined {
    const [source = ''] = inputsOf(layer);
    switch (layer.class_name) {
      case 'ZeroPadding2D':
        return this.#zeroPadding(layer, source);
      case 'Conv2D':
      case 'DepthwiseConv2D':
        return this.#convolution(layer, source);
      case 'Dense':
        return this.#dense(layer, source);
      case 'Dropout':
        // Inference: dropout is the identity.
        this.#aliasOf.set(layer.name, this.#resolve(source));
        return undefined;
      default:
        return this.#elementwise(layer, source);
    }
  }

  /** Absorbed into a `valid` convolution that is its only consumer, else a pad of its own. */
  #zeroPadding(layer: KerasLayer, source: string): Step | undefined {
    requireChannelsLast(layer);
    const pad = layer.config['padding'] as Padding2D;
    const next = this.#sole(layer.name);
    if (next !== undefined && isConvolution(next) && next.config['padding'] === 'valid') {
      this.#padding.set(next.name, pad);
      this.#aliasOf.set(layer.name, this.#resolve(source));
      return undefined;
    }
    return (values) => {
      const input = this.#read(values, source) as Tensor4D;
      values.set(layer.name, this.#tf.pad(input, [[0, 0], pad[0], pad[1], [0, 0]]));
    };
  }

  /** The layers that run as they are: a batch norm or ReLU not folded away, adds and pooling. */
  #elementwise(layer: KerasLayer, source: string): Step {
    const tf = this.#tf;
    const config = layer.config;
    const set = (compute: (input: Tensor) => Tensor): Step => {
      return (values) => values.set(layer.name, compute(this.#read(values, source)));
    };
    switch (layer.class_name) {
      case 'BatchNormalization': {
        const [gamma, beta, mean, variance] = this.#weightsOf(layer.name);
        const epsilon = Number(config['epsilon'] ?? 1e-3);
        return set((input) => tf.batchNorm(input, mean!, variance!, beta, gamma, epsilon));
      }
      case 'ReLU': {
        const activation = reluKind(layer);
        return set((input) => (activation === 'relu6' ? tf.relu6(input) : tf.relu(input)));
      }
      case 'Add': {
        const [left = '', right = ''] = inputsOf(layer);
        return (values) =>
          values.set(layer.name, tf.add(this.#read(values, left), this.#read(values, right)));
      }
      case 'AveragePooling2D': {
        requireChannelsLast(layer);
        const size = config['pool_size'] as [number, number];
        const strides = config['strides'] as [number, number];
        const pad = config['padding'] as 'valid' | 'same';
        return set((input) => tf.avgPool(input as Tensor4D, size, strides, pad));
      }
      case 'GlobalAveragePooling2D':
        requireChannelsLast(layer);
        return set((input) => tf.mean(input, [1, 2]));
      case 'Flatten':
        return set((input) => tf.reshape(input, [input.shape[0] ?? -1, -1]));
      default:
        throw new Error(`layer ${layer.name}: ${layer.class_name} is not supported by the fused compiler`);
    }
  }

  #dense(layer: KerasLayer, source: string): Step {
    const [kernel, bias] = this.#weightsOf(layer.name);
    const useBias = layer.config['use_bias'] !== false;
    const activation = String(layer.config['activation']);
    if (!['linear', 'relu', 'softmax'].includes(activation))
      throw new Error(`dense layer ${layer.name}: activation ${activation} is not supported`);
    const tf = this.#tf;
    return (values) => {
      const product = tf.fused.matMul({
        a: this.#read(values, source) as TensorFlow.Tensor2D,
        b: kernel as TensorFlow.Tensor2D,
        ...(useBias && bias !== undefined ? { bias } : {}),
        activation: activation === 'relu' ? 'relu' : 'linear',
      });
      values.set(layer.name, activation === 'softmax' ? tf.softmax(product) : product);
    };
  }

  /**
   * A convolution with the batch normalisation and ReLU that follow it (when each is the only
   * consumer of the one before) folded in, and the padding absorbed in front of it.
   */
  #convolution(layer: KerasLayer, source: string): Step {
    const { depthwise, activation: ownActivation } = checkedConvolution(layer);
    const norm = ownActivation === 'linear' ? this.#sole(layer.name) : undefined;
    let activation: Activation = ownActivation;
    let folded: KerasLayer | undefined;
    if (norm?.class_name === 'BatchNormalization') {
      folded = norm;
      this.#aliasOf.set(norm.name, layer.name);
      const relu = this.#sole(norm.name);
      if (relu?.class_name === 'ReLU') {
        activation = reluKind(relu);
        this.#aliasOf.set(relu.name, layer.name);
      }
    }
    const { kernel, bias } = this.#foldedWeights(layer, folded, depthwise);
    const strides = layer.config['strides'] as [number, number];
    const explicit = this.#padding.get(layer.name);
    const pad: 'same' | 'valid' | [[number, number], [number, number], [number, number], [number, number]] =
      explicit === undefined
        ? (layer.config['padding'] as 'same' | 'valid')
        : [[0, 0], explicit[0], explicit[1], [0, 0]];
    const tf = this.#tf;
    return (values) => {
      const x = this.#read(values, source) as Tensor4D;
      // tfjs's depthwise kernels take explicit padding exactly as conv2d's do (both go through
      // computeConv2DInfo); only the fused op's declared type leaves it out.
      const output = depthwise
        ? tf.fused.depthwiseConv2d({ x, filter: kernel, strides, pad: pad as 'valid', bias, activation })
        : tf.fused.conv2d({ x, filter: kernel, strides, pad, bias, activation });
      values.set(layer.name, output);
    };
  }

  /**
   * The convolution's kernel and bias with `norm` folded in: w·γ/√(σ²+ε) and β + (b − μ)·γ/√(σ²+ε).
   * Only these two outlive the call (tidy disposes the intermediate tensors).
   */
  #foldedWeights(
    layer: KerasLayer,
    norm: KerasLayer | undefined,
    depthwise: boolean,
  ): { kernel: Tensor4D; bias: Tensor } {
    const tf = this.#tf;
    const weights = this.#weightsOf(layer.name);
    const channels = weights[0]?.shape[depthwise ? 2 : 3] ?? 0;
    return tf.tidy(() => {
      const kernel = weights[0] as Tensor4D;
      const bias = layer.config['use_bias'] === true ? weights[1]! : tf.zeros([channels]);
      if (norm === undefined) return { kernel: tf.clone(kernel), bias: tf.clone(bias) };
      const [gamma, beta, mean, variance] = this.#weightsOf(norm.name);
      const epsilon = Number(norm.config['epsilon'] ?? 1e-3);
      const scale = tf.div(gamma!, tf.sqrt(tf.add(variance!, epsilon)));
      // The kernel's output channel is its last axis; a depthwise kernel's is its third (multiplier 1).
      return {
        kernel: tf.mul(kernel, depthwise ? tf.reshape(scale, [1, 1, channels, 1]) : scale),
        bias: tf.add(beta!, tf.mul(tf.sub(bias, mean!), scale)),
      };
    });
  }

  #sole(name: string): KerasLayer | undefined {
    const next = this.#consumers.get(name);
    return next?.length === 1 ? this.#byName.get(next[0] ?? '') : undefined;
  }

  #resolve(name: string): string {
    return this.#aliasOf.get(name) ?? name;
  }

  #read(values: Map<string, Tensor>, name: string): Tensor {
    const value = values.get(this.#resolve(name));
    if (value === undefined) throw new Error(`layer output ${name} is not computed yet`);
    return value;
  }
}

/** The options of a convolution the compiler supports; anything else throws. */
function checkedConvolution(layer: KerasLayer): { depthwise: boolean; activation: 'linear' | 'relu' } {
  requireChannelsLast(layer);
  const config = layer.config;
  const depthwise = layer.class_name === 'DepthwiseConv2D';
  const dilation = config['dilation_rate'] as [number, number] | undefined;
  if (dilation !== undefined && (dilation[0] !== 1 || dilation[1] !== 1))
    throw new Error(`${layer.name}: dilated convolutions are not supported`);
  if (depthwise && Number(config['depth_multiplier'] ?? 1) !== 1)
    throw new Error(`${layer.name}: a depth multiplier other than 1 is not supported`);
  const activation = String(config['activation'] ?? 'linear');
  if (activation !== 'linear' && activation !== 'relu')
    throw new Error(`${layer.name}: activation ${activation} is not supported`);
  return { depthwise, activation };
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
