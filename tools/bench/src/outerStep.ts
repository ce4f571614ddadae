import * as tf from '@tensorflow/tfjs-core';
import { appServices } from '@farzi/cli';
import { farziMetaGradient } from '@farzi/distill-farzi';
import { sequencesPerChunk, toList } from '@farzi/distill-kit';
import { median, profileSplit, ProfileSplit } from './profiling';
import { INNER_ADAM, syntheticRealBatch } from './synthetic';

/** One Farzi outer step to time: SASRec on a catalogue of `vocab` items, Farzi Data [μ×ξ], T steps. */
export interface OuterStepCase {
  readonly catalogue: string;
  readonly vocab: number;
  readonly hidden: number;
  readonly heads: number;
  readonly mu: number;
  readonly xi: number;
  readonly steps: number;
  readonly realBatch: number;
}

const ML100K = { catalogue: 'ml-100k', vocab: 1683, hidden: 50, heads: 1 } as const;
const BEAUTY = { catalogue: 'Beauty', vocab: 12102, hidden: 64, heads: 2 } as const;

export const OUTER_STEP_CASES: Record<string, OuterStepCase> = {
  'ml100k-10x50': { ...ML100K, mu: 10, xi: 50, steps: 10, realBatch: 256 },
  'ml100k-50x50': { ...ML100K, mu: 50, xi: 50, steps: 10, realBatch: 256 },
  'beauty-50x20': { ...BEAUTY, mu: 50, xi: 20, steps: 10, realBatch: 128 },
  'beauty-50x50': { ...BEAUTY, mu: 50, xi: 50, steps: 10, realBatch: 128 },
};

/** Cases measured by default: the large catalogue only where it runs in minutes (wasm-native). */
export function defaultOuterStepCases(backend: string): string[] {
  const all = Object.keys(OUTER_STEP_CASES);
  return backend.startsWith('wasm-native') ? all : all.filter((c) => c.startsWith('ml100k'));
}

/** Inner steps of the outer step whose kernels are profiled. */
export const PROFILE_STEPS = 3;

export interface DistillRow {
  backend: string;
  command: string;
  setting: string;
  /** The case's name (`ml100k-10x50`, …), to pair the row with its PyTorch twin. */
  case?: string;
  forward: number;
  real: number;
  reverse: number;
  total: number;
  /** Reverse pass by phase (seconds, median step). */
  phases?: { products: number; adjoint: number; pullBack: number };
  /** Chunks of synthetic sequences the products ran in. */
  chunks?: number;
  /** Kernel split of one outer step with T = PROFILE_STEPS. */
  profile?: ProfileSplit;
  /** The same step with finite-difference products: its reverse seconds and its meta-gradient's
   * relative distance ‖g_fd − g_exact‖ / ‖g_exact‖ over (F, M). */
  finiteDifference?: { reverse: number; relativeError: number };
}

export function describeCase(c: OuterStepCase): string {
  return (
    `SASRec (d ${c.hidden}, 2 blocks, |V| ${c.vocab}, ${c.catalogue}), Farzi [${c.mu}×${c.xi}], ` +
    `T ${c.steps}, real batch ${c.realBatch}`
  );
}

/**
 * Times one Farzi outer step (exact reverse-mode meta-gradient, no reverse checkpoints, automatic
 * sequence chunks): the median of the timed steps after a warm-up, split into inner forward,
 * real-data loss and reverse pass, the reverse by phase, and one more step under tf.profile.
 */
export async function outerStep(
  backend: string,
  name: string,
  smoke: boolean,
  command: string,
): Promise<DistillRow> {
  const full = OUTER_STEP_CASES[name];
  const c = smoke ? { ...full, mu: 4, xi: 12, steps: 2, realBatch: 16 } : full;
  const L = c.xi;
  const model = appServices().models.get('sasrec').create(
    {
      hiddenSize: c.hidden,
      blocks: 2,
      heads: c.heads,
      dropout: 0.2,
      loss: 'softmax',
      initStd: 0.02,
    },
    { vocabSize: c.vocab, maxLength: L },
  );
  const { names, values: w0 } = toList(model.init(1));
  const latent = tf.randomNormal([c.mu, L + 1, 16], 0, 0.5, 'float32', 2);
  const decoder = tf.randomNormal([16, c.vocab], 0, 0.5, 'float32', 3);
  const real = syntheticRealBatch(c.realBatch, L, c.vocab);
  const run = (method: 'exact' | 'finite-difference' = 'exact', steps = c.steps) =>
    farziMetaGradient(model, names, w0, { latent, decoder, temperature: 1 }, real, {
      steps,
      hyper: INNER_ADAM,
      method,
      checkpointEvery: 0,
    });
  const runs: ReturnType<typeof run>[] = [];
  for (let r = 0; r < (smoke ? 2 : 3); r++) {
    const result = run();
    tf.dispose([result.latent, result.decoder]);
    runs.push(result);
  }
  // tf.profile spreads its kernel list into Math.max: a whole Beauty [50×50] step (over 10⁵
  // kernel calls) overflows the stack, so the kernel split is of a step with T = PROFILE_STEPS.
  const profile = await profileSplit(() => {
    const result = run('exact', Math.min(c.steps, PROFILE_STEPS));
    tf.dispose([result.latent, result.decoder]);
  });
  const finiteDifference = compareMethods(run);
  real.dispose();
  tf.dispose([latent, decoder, ...w0]);
  const timed = runs.slice(1);
  const pick = (f: (r: (typeof runs)[number]) => number) => median(timed.map(f));
  const forward = pick((r) => r.seconds.forward);
  const realSeconds = pick((r) => r.seconds.real);
  const reverse = pick((r) => r.seconds.reverse);
  return {
    backend,
    command,
    setting: describeCase(c) + (smoke ? ' (smoke)' : ''),
    case: name,
    forward,
    real: realSeconds,
    reverse,
    total: forward + realSeconds + reverse,
    phases: {
      products: pick((r) => r.reversePhases.products),
      adjoint: pick((r) => r.reversePhases.adjoint),
      pullBack: pick((r) => r.reversePhases.pullBack),
    },
    chunks: Math.ceil(c.mu / sequencesPerChunk(c.mu, L + 1, c.vocab)),
    profile,
    finiteDifference,
  };
}

/** One exact and one finite-difference step from the same start: FD's time and distance. */
function compareMethods(
  run: (method: 'exact' | 'finite-difference') => ReturnType<typeof farziMetaGradient>,
): { reverse: number; relativeError: number } {
  const exact = run('exact');
  const fd = run('finite-difference');
  const relativeError = tf.tidy(() => {
    const sq = (x: tf.Tensor) => tf.sum(tf.square(x));
    const diff = tf.add(sq(tf.sub(fd.latent, exact.latent)), sq(tf.sub(fd.decoder, exact.decoder)));
    const norm = tf.add(sq(exact.latent), sq(exact.decoder));
    return Math.sqrt(diff.dataSync()[0] / Math.max(norm.dataSync()[0], 1e-30));
  });
  tf.dispose([exact.latent, exact.decoder, fd.latent, fd.decoder]);
  return { reverse: fd.seconds.reverse, relativeError };
}

function fmt(x: number, digits = 2): string {
  return x >= 100 ? x.toFixed(0) : x.toFixed(digits);
}

/** The outer-step section of the speed report. */
export function outerStepMarkdown(rows: DistillRow[]): string[] {
  if (!rows.length) return [];
  return [
    '## Farzi outer step (median of the timed steps after one warm-up)',
    '',
    `| backend | setting | inner forward s | real loss s | reverse s | total s | reverse ÷ forward | reverse: products / adjoint / pull-back s | chunks | finite-difference reverse s (‖Δ‖/‖g‖) | top kernels of one step at T ${PROFILE_STEPS} |`,
    '|---|---|---|---|---|---|---|---|---|---|---|',
    ...rows.map((r) => {
      const phases = r.phases
        ? `${fmt(r.phases.products)} / ${fmt(r.phases.adjoint)} / ${fmt(r.phases.pullBack)}`
        : '—';
      const kernels = r.profile
        ? `${(100 * r.profile.kernelShare).toFixed(0)}% in kernels: ` +
          r.profile.topKernels
            .slice(0, 5)
            .map((k) => `${k.name} ${(100 * k.share).toFixed(0)}%`)
            .join(', ')
        : '—';
      return (
        `| ${r.backend} | ${r.setting} | ${fmt(r.forward)} | ${fmt(r.real)} | ${fmt(r.reverse)} | ` +
        `${fmt(r.total)} | ${fmt(r.reverse / r.forward, 1)}× | ${phases} | ${r.chunks ?? '—'} | ` +
        (r.finiteDifference
          ? `${fmt(r.finiteDifference.reverse)} (${r.finiteDifference.relativeError.toExponential(1)})`
          : '—') +
        ` | ${kernels} |`
      );
    }),
    '',
    '"products": the inner gradient and the second-order products (one double-backward pass that ' +
      'also yields the gradient when the data is one chunk; a gradient pass, then one product per ' +
      'chunk otherwise); "adjoint": inverting the Adam step and updating the adjoints; "pull-back": ' +
      'dL/dX to F and M, once per outer step. "chunks": how many pieces the synthetic sequences ' +
      'were split into (`distill.sequenceChunk`, auto).',
    '',
  ];
}
