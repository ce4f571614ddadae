// Row helpers shared by the kernels over a row's classes (softXent.c, softmaxRows.c): exp of a
// shifted row without libmvec's slow path, and sums and dot products accumulated in double.
#ifndef FARZI_BLAS_ROW_MATH_H
#define FARZI_BLAS_ROW_MATH_H
#include "common.h"

#define ROW_HELPER VECTOR_LOOP __attribute__((unused))

__attribute__((noinline, unused)) static float scalar_expf(float x) { return expf(x); }

// e[v] = exp(z[v] − m). As in softmax.c, the vector loop sees arguments clamped at −80 (libmvec's
// expf takes a slow path per lane below ~−87) and the few below are recomputed afterwards.
ROW_HELPER static void shifted_exp(const float *restrict z, float m, float *restrict e,
                                    int64_t n) {
  int64_t low = 0;
  for (int64_t v = 0; v < n; v++) {
    const float x = z[v] - m;
    low += x < -80.0f;
    e[v] = x < -80.0f ? -80.0f : x;
  }
  for (int64_t v = 0; v < n; v++) e[v] = expf(e[v]);
  if (low == 0) return;
  for (int64_t v = 0; v < n; v++) {
    const float x = z[v] - m;
    if (x < -80.0f) e[v] = x < -104.0f ? 0.0f : scalar_expf(x);
  }
}

ROW_HELPER static double sum_d(const float *restrict x, int64_t n) {
  double s = 0;
  for (int64_t v = 0; v < n; v++) s += x[v];
  return s;
}

ROW_HELPER static double dot_d(const float *restrict x, const float *restrict y, int64_t n) {
  double s = 0;
  for (int64_t v = 0; v < n; v++) s += (double)x[v] * y[v];
  return s;
}

#endif
