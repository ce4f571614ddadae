// The fused Adam update.
#include "common.h"

// One Adam step over n parameters, elementwise as the composed update does it:
// m' = β1·m + (1−β1)·g, v' = β2·v + (1−β2)·g², u = (m'/c1) / (sqrt(v'/c2 [+ epsRoot]) + eps)
// [+ weightDecay·w], w' = w − lr·u, with the bias corrections c1 = 1 − β1^t, c2 = 1 − β2^t.
VECTOR_LOOP static void adam_loop(const float *restrict w, const float *restrict g,
                                  const float *restrict m, const float *restrict v,
                                  float *restrict w1, float *restrict m1, float *restrict v1,
                                  int64_t n, const float *h) {
  const float lr = h[0], b1 = h[1], b2 = h[2], eps = h[3], eps_root = h[4], wd = h[5], c1 = h[6],
              c2 = h[7];
  for (int64_t i = 0; i < n; i++) {
    const float mi = m[i] * b1 + g[i] * (1.0f - b1);
    const float vi = v[i] * b2 + g[i] * g[i] * (1.0f - b2);
    const float root = sqrtf(vi / c2 + eps_root);
    float u = (mi / c1) / (root + eps);
    u = u + w[i] * wd;
    w1[i] = w[i] - u * lr;
    m1[i] = mi;
    v1[i] = vi;
  }
}

// adamUpdate(buffer, wOffset, gOffset, mOffset, vOffset, wOutOffset, mOutOffset, vOutOffset, n,
// hyper) where hyper is a Float64Array [lr, beta1, beta2, eps, epsRoot, weightDecay, t].
napi_value adam_update(napi_env env, napi_callback_info info) {
  napi_value argv[10];
  void *base;
  size_t byte_length;
  if (!get_args(env, info, 10, argv, &base, &byte_length, "adamUpdate")) return NULL;
  int64_t off[7], n;
  const char *names[7] = {"wOffset", "gOffset", "mOffset", "vOffset",
                          "wOutOffset", "mOutOffset", "vOutOffset"};
  for (int i = 0; i < 7; i++)
    if (!get_i64(env, argv[1 + i], &off[i], names[i])) return NULL;
  if (!get_i64(env, argv[8], &n, "n")) return NULL;
  napi_typedarray_type type;
  size_t length, byte_offset;
  void *raw;
  napi_value ab;
  if (napi_get_typedarray_info(env, argv[9], &type, &length, &raw, &ab, &byte_offset) != napi_ok ||
      type != napi_float64_array || length != 7) {
    napi_throw_type_error(env, NULL, "farzi_blas.adamUpdate: hyper must be a Float64Array of 7");
    return NULL;
  }
  const double *hp = raw;
  if (n < 0) {
    napi_throw_range_error(env, NULL, "farzi_blas.adamUpdate: invalid size");
    return NULL;
  }
  for (int i = 0; i < 7; i++) {
    if (!in_bounds(off[i], n, byte_length)) {
      napi_throw_range_error(env, NULL, "farzi_blas.adamUpdate: an operand lies outside the buffer");
      return NULL;
    }
  }
  const float h[8] = {(float)hp[0], (float)hp[1], (float)hp[2], (float)hp[3], (float)hp[4],
                      (float)hp[5], (float)(1.0 - pow(hp[1], hp[6])),
                      (float)(1.0 - pow(hp[2], hp[6]))};
  char *p = (char *)base;
  adam_loop((const float *)(p + off[0]), (const float *)(p + off[1]), (const float *)(p + off[2]),
            (const float *)(p + off[3]), (float *)(p + off[4]), (float *)(p + off[5]),
            (float *)(p + off[6]), n, h);
  return NULL;
}
