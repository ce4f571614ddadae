import * as tf from '@tensorflow/tfjs-core';
import { crossEntropy, Evaluator, tokenBatches, UserError } from '@farzi/core';
import { perplexity } from './rankingMetrics';

/**
 * Language-model evaluation on a token split: mean next-token cross-entropy (nats) over contiguous
 * chunks of the model's context length, and perplexity = exp(cross-entropy).
 */
export const languageModelEvaluator: Evaluator = {
  name: 'language-model',
  description: 'next-token cross-entropy and perplexity on the valid/test token stream',
  higherIsBetter: (metric) => !/perplexity|cross-entropy/i.test(metric),
  metricNames: () => ['cross-entropy', 'perplexity'],
  check(config) {
    if (config.validUsers !== undefined) {
      throw new UserError(
        `eval.validUsers: ${config.validUsers} samples users of recommendation data; the "language-model" evaluator validates on the whole validation text. Remove eval.validUsers.`,
      );
    }
  },
  async evaluate(request) {
    const { split, model, params, config } = request;
    this.check?.(config, split);
    if (split.kind !== 'tokens') {
      throw new UserError(
        'eval.evaluator: "language-model" needs a text corpus; use "ranking" for recommendation data.',
      );
    }
    const stream = split[request.part];
    let total = 0;
    let tokens = 0;
    for (const batch of tokenBatches(stream, {
      length: model.maxLength,
      batchSize: config.batchSize,
    })) {
      const loss = tf.tidy(() => {
        const logits = model.apply(
          params,
          tf.tensor2d(batch.inputs, [batch.batchSize, batch.length], 'int32'),
          { training: false },
        );
        return crossEntropy(
          logits,
          tf.tensor2d(batch.targets, [batch.batchSize, batch.length], 'int32'),
        );
      });
      const n = batch.batchSize * batch.length;
      total += loss.dataSync()[0] * n;
      tokens += n;
      loss.dispose();
    }
    const ce = total / Math.max(tokens, 1);
    return {
      protocol: `next-token prediction on the ${request.part} text in chunks of ${model.maxLength} tokens`,
      part: request.part,
      count: tokens,
      metrics: { 'cross-entropy': ce, perplexity: perplexity(ce) },
    };
  },
};
