import * as tf from '@tensorflow/tfjs-core';
import { broadcastBack } from './broadcastBack';

/** Sum's gradient: dy broadcast back over the summed axes (see broadcastBack). */
export const sumGradConfig: tf.GradConfig = {
  kernelName: tf.Sum,
  inputsToSave: ['x'],
  gradFunc: (dy, saved, attrs) => {
    const [x] = saved;
    const { axis } = attrs as unknown as tf.SumAttrs;
    return { x: () => broadcastBack(dy as tf.Tensor, x, axis) };
  },
};
