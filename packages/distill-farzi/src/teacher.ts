import * as tf from '@tensorflow/tfjs-core';
import { adam, disposeState, Params, Rng, softCrossEntropy, UserError } from '@farzi/core';
import { farziLogits } from './farziData';

export interface FarziFit {
  readonly latent: tf.Tensor3D;
  readonly decoder: tf.Tensor2D;
  /** Soft cross-entropy of the decoded data against the targets after the fit (nats/position). */
  readonly loss: number;
  /** Mean entropy of the targets: the loss of an exact fit. */
  readonly targetEntropy: number;
}

/**
 * Fits Farzi Data F [μ, ξ, d], M [d, |V|] so that softmax(F·M/τ) matches `targets` [μ, ξ, |V|]:
 * Adam on the mean soft cross-entropy from N(0, initStd²) (or `start`), `steps` full-batch steps. With `chunk`
 * below μ, each step's loss and gradients are summed over chunks of that many sequences (the same
 * step, without the whole [μ·ξ, |V|] logits and their gradients in memory at once).
 */
export function fitFarzi(
  targets: tf.Tensor3D,
  latentDim: number,
  temperature: number,
  options: {
    steps: number;
    learningRate: number;
    initStd: number;
    seed: number;
    chunk?: number;
    /** Where the fit starts (taken over: disposed when the fit moves on); default N(0, initStd²). */
    start?: { latent: tf.Tensor3D; decoder: tf.Tensor2D };
  },
): FarziFit {
  const [mu, xi, v] = targets.shape;
  const rng = new Rng(options.seed);
  let params: Params = options.start
    ? { latent: options.start.latent, decoder: options.start.decoder }
    : {
        latent: tf.randomNormal([mu, xi, latentDim], 0, options.initStd, 'float32', rng.seed()),
        decoder: tf.randomNormal([latentDim, v], 0, options.initStd, 'float32', rng.seed()),
      };
  const optimizer = adam(
    {
      name: 'adam',
      beta1: 0.9,
      beta2: 0.999,
      eps: 1e-8,
      epsRoot: 0,
      weightDecay: 0,
      clipNorm: 0,
      momentum: 0,
    },
    options.learningRate,
  );
  let state = optimizer.init(params);
  const chunk = Math.min(options.chunk ?? mu, mu);
  const mask = tf.ones([mu * xi]);
  const flat = tf.reshape(targets, [mu * xi, v]);
  const loss = (latent: tf.Tensor, decoder: tf.Tensor): tf.Scalar =>
    softCrossEntropy(farziLogits(latent, decoder, temperature), flat, mask);
  // The targets of each chunk, cut once: slicing the whole [μ, ξ, |V|] tensor on every step costs
  // more than the step itself on the wasm backends (PTB [258×36]: 26 s per step against ~5).
  const pieces = chunk < mu ? targetChunks(targets, chunk) : [];
  let last = NaN;
  for (let step = 0; step < options.steps; step++) {
    const next = tf.tidy(() => {
      const { value, grads } =
        chunk < mu
          ? chunkedLossAndGrads(params, pieces, mu, temperature)
          : tf.valueAndGrads((f: tf.Tensor, m: tf.Tensor) => loss(f, m))([
              params.latent,
              params.decoder,
            ]);
      const r = optimizer.step(params, { latent: grads[0], decoder: grads[1] }, state);
      return { value, params: r.params, slots: r.state.slots as unknown as tf.TensorContainer };
    });
    last = next.value.dataSync()[0];
    next.value.dispose();
    tf.dispose(Object.values(params));
    disposeState(state);
    params = next.params;
    state = { step: state.step + 1, slots: next.slots as unknown as typeof state.slots };
    if (!Number.isFinite(last)) {
      tf.dispose([mask, flat, ...pieces, ...Object.values(params)]);
      disposeState(state);
      throw new UserError(
        `distill.teacher: fitting the Farzi Data to the teacher's sequences diverged at step ${step + 1}; lower distill.teacher.fitLearningRate (${options.learningRate}).`,
      );
    }
  }
  const targetEntropy = meanEntropy(targets, chunk);
  tf.dispose([mask, flat, ...pieces]);
  disposeState(state);
  return {
    latent: params.latent as tf.Tensor3D,
    decoder: params.decoder as tf.Tensor2D,
    loss: last,
    targetEntropy,
  };
}

/** The targets cut into chunks of `chunk` sequences, each flattened to [chunk·ξ, |V|]. */
function targetChunks(targets: tf.Tensor3D, chunk: number): tf.Tensor2D[] {
  const [mu, xi, v] = targets.shape;
  const out: tf.Tensor2D[] = [];
  for (let from = 0; from < mu; from += chunk) {
    const count = Math.min(chunk, mu - from);
    out.push(
      tf.tidy(() => tf.reshape(tf.slice(targets, [from, 0, 0], [count, xi, v]), [count * xi, v])),
    );
  }
  return out;
}

/**
 * The fit's mean soft cross-entropy and its gradients, summed over the chunks' targets `pieces`
 * (each chunk's loss weighted by its share of the μ sequences).
 */
function chunkedLossAndGrads(
  params: Params,
  pieces: tf.Tensor2D[],
  mu: number,
  temperature: number,
): { value: tf.Scalar; grads: tf.Tensor[] } {
  const [, xi, d] = params.latent.shape as [number, number, number];
  let value: tf.Scalar = tf.scalar(0);
  let grads = [tf.zerosLike(params.latent), tf.zerosLike(params.decoder)];
  let from = 0;
  for (const t of pieces) {
    const count = t.shape[0] / xi;
    const start = from;
    const part = tf.tidy(() => {
      const mask = tf.ones([count * xi]);
      const f = (latent: tf.Tensor, decoder: tf.Tensor): tf.Scalar => {
        const rows = tf.slice(latent, [start, 0, 0], [count, xi, d]);
        const ce = softCrossEntropy(farziLogits(rows, decoder, temperature), t, mask);
        return tf.mul(ce, count / mu) as tf.Scalar;
      };
      const r = tf.valueAndGrads(f)([params.latent, params.decoder]);
      return {
        value: tf.add(value, r.value) as tf.Scalar,
        grads: [tf.add(grads[0], r.grads[0]), tf.add(grads[1], r.grads[1])],
      };
    });
    tf.dispose([value, ...grads]);
    value = part.value;
    grads = part.grads;
    from += count;
  }
  return { value, grads };
}

/** Mean entropy of the target rows (chunk by chunk for large vocabularies). */
function meanEntropy(targets: tf.Tensor3D, chunk: number): number {
  const [mu, xi, v] = targets.shape;
  const entropyOf = (t: tf.Tensor) => tf.sum(tf.mul(t, tf.log(tf.maximum(t, 1e-30))), -1);
  if (chunk >= mu) {
    return tf.tidy(() => tf.neg(tf.mean(entropyOf(targets))).dataSync()[0]);
  }
  let sum = 0;
  for (let from = 0; from < mu; from += chunk) {
    const count = Math.min(chunk, mu - from);
    sum += tf.tidy(
      () => tf.sum(entropyOf(tf.slice(targets, [from, 0, 0], [count, xi, v]))).dataSync()[0],
    );
  }
  return -sum / (mu * xi);
}
