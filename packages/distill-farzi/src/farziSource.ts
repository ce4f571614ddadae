import type { TrainingSource } from '@farzi/core';
import { softSequenceSource } from '@farzi/distill-kit';
import { FarziData, farziShape } from './farziDataFormat';
import { decodePositions } from './synthetic';

/**
 * Farzi Data as a training source of soft sequences: inputs are positions 0..ξ−2, targets the
 * distributions at 1..ξ−1 (every position weighted 1). Sequences longer than the model's context
 * keep their last `maxLength + 1` positions.
 */
export function farziSource(
  data: FarziData,
  maxLength: number,
  label = 'Farzi Data',
): TrainingSource {
  const { sequences: mu, length: xi } = farziShape(data);
  const used = Math.min(xi, maxLength + 1);
  // Inputs and targets decoded once, each from its slice of the (small) latent.
  return softSequenceSource(
    decodePositions(data, xi - used, used - 1),
    decodePositions(data, xi - used + 1, used - 1),
    `${label} [${mu}×${xi}] (${mu * xi} events)`,
  );
}
