import * as tf from '@tensorflow/tfjs-core';
import { broadcastBack } from './broadcastBack';

/** Mean's gradient: dy broadcast back over the averaged axes, divided by their size. */
export const meanGradConfig: tf.GradConfig = {
  kernelName: tf.Mean,
  inputsToSave: ['x'],
  gradFunc: (dy, saved, attrs) => {
    const [x] = saved;
    const { axis } = attrs as unknown as tf.MeanAttrs;
    const axes = tf.util.parseAxisParam(axis ?? x.shape.map((_, i) => i), x.shape);
    const size = axes.reduce((n, a) => n * x.shape[a], 1);
    return { x: () => tf.div(broadcastBack(dy as tf.Tensor, x, axes), size) };
  },
};
