// Adam's update and the two halves of its reversal (the Farzi reverse pass), one pass over a
// parameter each instead of a dozen to two dozen elementwise kernels. Every value is computed by
// the same float32 operations, in the same order, as the composed ops in @farzi/core
// (optim/adam.ts, optim/adamReverse.ts), so results equal theirs bit for bit: no -ffast-math
// (no reciprocals, no reassociation) and no contraction into fused multiply-adds.
#include "common.h"

#define EXACT __attribute__((optimize("no-fast-math", "fp-contract=off")))

enum { MODE_UPDATE = 0, MODE_ADJOINT = 1, MODE_RESTORE = 2 };
// Operands (inputs then outputs) and float32 scalars per mode.
static const int OPERANDS[3] = {7, 10, 12};
static const int SCALARS[3] = {12, 10, 5};
static const char *MODE_NAMES[3] = {"update", "adjoint", "restore"};

// w, g, m, v → w', m', v'. s = [β1, 1−β1, β2, 1−β2, 1−β1ᵗ, 1−β2ᵗ, ε_root, ε, λ, α, ε_root > 0,
// λ > 0]: m' = β1 m + (1−β1) g, v' = β2 v + (1−β2) g², u = (m'/c1) / (√(v'/c2 [+ ε_root]) + ε)
// [+ λ w], w' = w − α u.
EXACT static void update_loop(float *const *p, int64_t n, const float *s) {
  const float *w = p[0], *g = p[1], *m = p[2], *v = p[3];
  float *w1 = p[4], *m1 = p[5], *v1 = p[6];
  const int root_eps = s[10] != 0.0f, decay = s[11] != 0.0f;
  for (int64_t i = 0; i < n; i++) {
    const float mi = m[i] * s[0] + g[i] * s[1];
    const float vi = v[i] * s[2] + (g[i] * g[i]) * s[3];
    const float m_hat = mi / s[4];
    const float v_hat = vi / s[5];
    const float root = root_eps ? sqrtf(v_hat + s[6]) : sqrtf(v_hat);
    float u = m_hat / (root + s[7]);
    if (decay) u = u + w[i] * s[8];
    w1[i] = w[i] - u * s[9];
    m1[i] = mi;
    v1[i] = vi;
  }
}

// Inverts step t and carries the adjoints back through it, before the step's second-order
// products: w, m, v (after the step), dw, dm, dv (the adjoints after it) → w_{t−1}, dm_t, dv_t
// and the integrand of dL/dα_t. s = [c1, c2, ε_root, ε, α, 1−αλ, λ, −α/c1, α/(2 c2), 10⁻²⁰].
EXACT static void adjoint_loop(float *const *p, int64_t n, const float *s) {
  const float *w = p[0], *m = p[1], *v = p[2], *dw = p[3], *dm = p[4], *dv = p[5];
  float *prev = p[6], *dm_t = p[7], *dv_t = p[8], *alpha = p[9];
  for (int64_t i = 0; i < n; i++) {
    const float m_hat = m[i] / s[0];
    const float root = sqrtf(v[i] / s[1] + s[2]);
    const float denom = root + s[3];
    const float update = m_hat / denom;
    const float previous = (w[i] + update * s[4]) / s[5];
    prev[i] = previous;
    alpha[i] = dw[i] * (update + previous * s[6]);
    dm_t[i] = dm[i] + dw[i] * (s[7] / denom);
    const float dwdv = (m_hat * s[8]) / (fmaxf(root, s[9]) * (denom * denom));
    dv_t[i] = dv[i] + dw[i] * dwdv;
  }
}

// After the products: m, v (after the step), g (the step's gradient), dw, H_ww·dg, dm_t, dv_t →
// m_{t−1}, v_{t−1} and the adjoints before the step. s = [1−β1, β1, 1−β2, β2, 1−αλ].
EXACT static void restore_loop(float *const *p, int64_t n, const float *s) {
  const float *m = p[0], *v = p[1], *g = p[2], *dw = p[3], *hw = p[4], *dm_t = p[5],
              *dv_t = p[6];
  float *m0 = p[7], *v0 = p[8], *dw0 = p[9], *dm0 = p[10], *dv0 = p[11];
  for (int64_t i = 0; i < n; i++) {
    m0[i] = (m[i] - g[i] * s[0]) / s[1];
    const float vi = (v[i] - (g[i] * g[i]) * s[2]) / s[3];
    v0[i] = vi < 0.0f ? 0.0f : vi;
    dw0[i] = dw[i] * s[4] + hw[i];
    dm0[i] = dm_t[i] * s[1];
    dv0[i] = dv_t[i] * s[3];
  }
}

// adamExact(buffer, mode, offsets, n, scalars): mode 0 update, 1 adjoint, 2 restore; offsets a
// Float64Array of the operands' byte offsets (inputs, then outputs), n values each; scalars a
// Float64Array (rounded to float32 here, as a scalar tensor would be).
napi_value adam_exact(napi_env env, napi_callback_info info) {
  napi_value argv[5];
  void *base;
  size_t byte_length;
  if (!get_args(env, info, 5, argv, &base, &byte_length, "adamExact")) return NULL;
  int64_t mode, n;
  if (!get_i64(env, argv[1], &mode, "mode") || !get_i64(env, argv[3], &n, "n")) return NULL;
  if (mode < MODE_UPDATE || mode > MODE_RESTORE || n < 0) {
    napi_throw_range_error(env, NULL, "farzi_blas.adamExact: invalid mode or size");
    return NULL;
  }
  const double *arrays[2];
  const size_t expected[2] = {(size_t)OPERANDS[mode], (size_t)SCALARS[mode]};
  for (int a = 0; a < 2; a++) {
    napi_typedarray_type type;
    size_t length, byte_offset;
    void *raw;
    napi_value ab;
    if (napi_get_typedarray_info(env, argv[a == 0 ? 2 : 4], &type, &length, &raw, &ab,
                                 &byte_offset) != napi_ok ||
        type != napi_float64_array || length != expected[a]) {
      char msg[160];
      snprintf(msg, sizeof msg, "farzi_blas.adamExact: %s must be a Float64Array of %zu (%s)",
               a == 0 ? "offsets" : "scalars", expected[a], MODE_NAMES[mode]);
      napi_throw_type_error(env, NULL, msg);
      return NULL;
    }
    arrays[a] = raw;
  }
  float *p[12];
  for (int i = 0; i < OPERANDS[mode]; i++) {
    const int64_t off = (int64_t)arrays[0][i];
    if ((double)off != arrays[0][i] || !in_bounds(off, n, byte_length)) {
      napi_throw_range_error(env, NULL, "farzi_blas.adamExact: an operand lies outside the buffer");
      return NULL;
    }
    p[i] = (float *)((char *)base + off);
  }
  float s[12];
  for (int i = 0; i < SCALARS[mode]; i++) s[i] = (float)arrays[1][i];
  if (mode == MODE_UPDATE) update_loop(p, n, s);
  else if (mode == MODE_ADJOINT) adjoint_loop(p, n, s);
  else restore_loop(p, n, s);
  return NULL;
}
