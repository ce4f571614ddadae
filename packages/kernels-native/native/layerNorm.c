// Layer normalisation over the last axis, its gradient, and the gradient of its gradient (the
// Hessian-vector products of the Farzi reverse pass take them through every layer norm).
#include "common.h"

// Layer normalisation over the last axis (length d) of `rows` rows: y = (x − mean)·rstd·gain + bias
// with rstd = 1 / sqrt(var + eps); mean and rstd per row are kept for the gradient.
static void layer_norm_rows(const float *restrict x, const float *restrict gain,
                            const float *restrict bias, float *restrict y, float *restrict mean,
                            float *restrict rstd, int64_t rows, int64_t d, float eps) {
  for (int64_t r = 0; r < rows; r++) {
    const float *xr = x + r * d;
    float *yr = y + r * d;
    float s = 0.0f;
    for (int64_t j = 0; j < d; j++) s += xr[j];
    const float m = s / (float)d;
    float q = 0.0f;
    for (int64_t j = 0; j < d; j++) q += (xr[j] - m) * (xr[j] - m);
    const float rs = 1.0f / sqrtf(q / (float)d + eps);
    for (int64_t j = 0; j < d; j++) yr[j] = (xr[j] - m) * rs * gain[j] + bias[j];
    mean[r] = m;
    rstd[r] = rs;
  }
}

// Its gradient for upstream dy: dx (rows × d), dgain (d) and dbias (d). With x̂ = (x − mean)·rstd and g = gain·dy: dx = rstd·(g − mean(g) − x̂·mean(g·x̂)),
// dgain = Σ_rows dy·x̂, dbias = Σ_rows dy (accumulated in double).
static int layer_norm_grad_rows(const float *restrict x, const float *restrict gain,
                                const float *restrict mean, const float *restrict rstd,
                                const float *restrict dy, float *restrict dx,
                                float *restrict dgain, float *restrict dbias, int64_t rows,
                                int64_t d) {
  double *acc = calloc((size_t)(2 * d), sizeof(double));
  if (!acc) return 0;
  for (int64_t r = 0; r < rows; r++) {
    const float *xr = x + r * d;
    const float *dyr = dy + r * d;
    float *dxr = dx + r * d;
    const float m = mean[r], rs = rstd[r];
    float a = 0.0f, b = 0.0f;
    for (int64_t j = 0; j < d; j++) {
      const float xh = (xr[j] - m) * rs;
      const float g = gain[j] * dyr[j];
      a += g;
      b += g * xh;
      acc[j] += (double)dyr[j] * xh;
      acc[d + j] += dyr[j];
    }
    a /= (float)d;
    b /= (float)d;
    for (int64_t j = 0; j < d; j++) {
      const float xh = (xr[j] - m) * rs;
      dxr[j] = rs * (gain[j] * dyr[j] - a - xh * b);
    }
  }
  for (int64_t j = 0; j < d; j++) {
    dgain[j] = (float)acc[j];
    dbias[j] = (float)acc[d + j];
  }
  free(acc);
  return 1;
}

// The gradient of layer_norm_grad_rows's outputs (dx, dgain, dbias) against cotangents ux
// (rows × d), ug and ub (d), as functions of x (mean and rstd follow x), gain and dy. Per row, with
// r = rstd, x̂ = (x − mean)·r, a = gain·dy, ā = mean(a), m = mean(a·x̂), mu = mean(ux·x̂):
//   va   = r·(ux − mean(ux) − x̂·mu)                       (the cotangent of a)
//   cx̂   = −r·(m·ux + mu·a) + ug·dy, cr = ⟨ux, a − ā − x̂·m⟩  (of x̂ and of r)
//   dX   = r·(cx̂ − mean(cx̂) − x̂·mean(cx̂·x̂)) − cr·r²·x̂/d
//   dDy  = va·gain + ug·x̂ + ub,  dGain = Σ_rows va·dy      (row sums in double)
static int layer_norm_grad_grad_rows(const float *restrict x, const float *restrict gain,
                                     const float *restrict mean, const float *restrict rstd,
                                     const float *restrict dy, const float *restrict ux,
                                     const float *restrict ug, const float *restrict ub,
                                     float *restrict dX, float *restrict dGain,
                                     float *restrict dDy, int64_t rows, int64_t d) {
  double *acc = calloc((size_t)d, sizeof(double));
  if (!acc) return 0;
  for (int64_t r = 0; r < rows; r++) {
    const float *xr = x + r * d, *dyr = dy + r * d, *uxr = ux + r * d;
    float *dXr = dX + r * d, *dDyr = dDy + r * d;
    const float m = mean[r], rs = rstd[r];
    double sa = 0, sax = 0, su = 0, sux = 0;
    for (int64_t j = 0; j < d; j++) {
      const double xh = (xr[j] - m) * rs, a = (double)gain[j] * dyr[j];
      sa += a;
      sax += a * xh;
      su += uxr[j];
      sux += uxr[j] * xh;
    }
    const double abar = sa / d, ma = sax / d, ubar = su / d, mu = sux / d;
    double cr = 0, sc = 0, scx = 0;
    for (int64_t j = 0; j < d; j++) {
      const double xh = (xr[j] - m) * rs, a = (double)gain[j] * dyr[j];
      const double va = rs * (uxr[j] - ubar - xh * mu);
      const double cxh = -rs * (ma * uxr[j] + mu * a) + (double)ug[j] * dyr[j];
      cr += uxr[j] * (a - abar - xh * ma);
      sc += cxh;
      scx += cxh * xh;
      dXr[j] = (float)cxh;
      dDyr[j] = (float)(va * gain[j] + ug[j] * xh + ub[j]);
      acc[j] += va * dyr[j];
    }
    const double cbar = sc / d, mc = scx / d;
    for (int64_t j = 0; j < d; j++) {
      const double xh = (xr[j] - m) * rs;
      dXr[j] = (float)(rs * (dXr[j] - cbar - xh * mc) - cr * rs * rs * xh / d);
    }
  }
  for (int64_t j = 0; j < d; j++) dGain[j] = (float)acc[j];
  free(acc);
  return 1;
}

// layerNorm(buffer, xOffset, gainOffset, biasOffset, yOffset, meanOffset, rstdOffset, rows, d, eps)
napi_value layer_norm(napi_env env, napi_callback_info info) {
  napi_value argv[10];
  void *base;
  size_t byte_length;
  if (!get_args(env, info, 10, argv, &base, &byte_length, "layerNorm")) return NULL;
  int64_t x_off, g_off, b_off, y_off, m_off, r_off, rows, d;
  double eps;
  if (!get_i64(env, argv[1], &x_off, "xOffset") || !get_i64(env, argv[2], &g_off, "gainOffset") ||
      !get_i64(env, argv[3], &b_off, "biasOffset") || !get_i64(env, argv[4], &y_off, "yOffset") ||
      !get_i64(env, argv[5], &m_off, "meanOffset") ||
      !get_i64(env, argv[6], &r_off, "rstdOffset") || !get_i64(env, argv[7], &rows, "rows") ||
      !get_i64(env, argv[8], &d, "d") || !get_f64(env, argv[9], &eps, "eps"))
    return NULL;
  if (rows < 0 || d < 1 || !(eps >= 0)) {
    napi_throw_range_error(env, NULL, "farzi_blas.layerNorm: invalid sizes or epsilon");
    return NULL;
  }
  if (!in_bounds(x_off, rows * d, byte_length) || !in_bounds(g_off, d, byte_length) ||
      !in_bounds(b_off, d, byte_length) || !in_bounds(y_off, rows * d, byte_length) ||
      !in_bounds(m_off, rows, byte_length) || !in_bounds(r_off, rows, byte_length)) {
    napi_throw_range_error(env, NULL, "farzi_blas.layerNorm: an operand lies outside the buffer");
    return NULL;
  }
  char *p = (char *)base;
  layer_norm_rows((const float *)(p + x_off), (const float *)(p + g_off),
                  (const float *)(p + b_off), (float *)(p + y_off), (float *)(p + m_off),
                  (float *)(p + r_off), rows, d, (float)eps);
  return NULL;
}

// layerNormGrad(buffer, xOffset, gainOffset, meanOffset, rstdOffset, dyOffset, dxOffset,
// dgainOffset, dbiasOffset, rows, d)
napi_value layer_norm_grad(napi_env env, napi_callback_info info) {
  napi_value argv[11];
  void *base;
  size_t byte_length;
  if (!get_args(env, info, 11, argv, &base, &byte_length, "layerNormGrad")) return NULL;
  int64_t x_off, g_off, m_off, r_off, dy_off, dx_off, dg_off, db_off, rows, d;
  if (!get_i64(env, argv[1], &x_off, "xOffset") || !get_i64(env, argv[2], &g_off, "gainOffset") ||
      !get_i64(env, argv[3], &m_off, "meanOffset") ||
      !get_i64(env, argv[4], &r_off, "rstdOffset") || !get_i64(env, argv[5], &dy_off, "dyOffset") ||
      !get_i64(env, argv[6], &dx_off, "dxOffset") ||
      !get_i64(env, argv[7], &dg_off, "dgainOffset") ||
      !get_i64(env, argv[8], &db_off, "dbiasOffset") || !get_i64(env, argv[9], &rows, "rows") ||
      !get_i64(env, argv[10], &d, "d"))
    return NULL;
  if (rows < 0 || d < 1) {
    napi_throw_range_error(env, NULL, "farzi_blas.layerNormGrad: invalid sizes");
    return NULL;
  }
  if (!in_bounds(x_off, rows * d, byte_length) || !in_bounds(g_off, d, byte_length) ||
      !in_bounds(m_off, rows, byte_length) || !in_bounds(r_off, rows, byte_length) ||
      !in_bounds(dy_off, rows * d, byte_length) || !in_bounds(dx_off, rows * d, byte_length) ||
      !in_bounds(dg_off, d, byte_length) || !in_bounds(db_off, d, byte_length)) {
    napi_throw_range_error(env, NULL,
                           "farzi_blas.layerNormGrad: an operand lies outside the buffer");
    return NULL;
  }
  char *p = (char *)base;
  if (!layer_norm_grad_rows((const float *)(p + x_off), (const float *)(p + g_off),
                            (const float *)(p + m_off), (const float *)(p + r_off),
                            (const float *)(p + dy_off), (float *)(p + dx_off),
                            (float *)(p + dg_off), (float *)(p + db_off), rows, d)) {
    napi_throw_error(env, NULL, "farzi_blas.layerNormGrad: out of memory");
  }
  return NULL;
}

// layerNormGradGrad(buffer, xOffset, gainOffset, meanOffset, rstdOffset, dyOffset, uxOffset,
// ugOffset, ubOffset, dXOffset, dGainOffset, dDyOffset, rows, d)
napi_value layer_norm_grad_grad(napi_env env, napi_callback_info info) {
  napi_value argv[14];
  void *base;
  size_t byte_length;
  if (!get_args(env, info, 14, argv, &base, &byte_length, "layerNormGradGrad")) return NULL;
  static const char *const names[] = {"xOffset",  "gainOffset", "meanOffset",  "rstdOffset",
                                      "dyOffset", "uxOffset",   "ugOffset",    "ubOffset",
                                      "dXOffset", "dGainOffset", "dDyOffset"};
  // Extent of each operand: 0 rows × d, 1 d, 2 rows.
  static const int kind[] = {0, 1, 2, 2, 0, 0, 1, 1, 0, 1, 0};
  int64_t off[11], rows, d;
  for (int i = 0; i < 11; i++)
    if (!get_i64(env, argv[1 + i], &off[i], names[i])) return NULL;
  if (!get_i64(env, argv[12], &rows, "rows") || !get_i64(env, argv[13], &d, "d")) return NULL;
  if (rows < 0 || d < 1) {
    napi_throw_range_error(env, NULL, "farzi_blas.layerNormGradGrad: invalid sizes");
    return NULL;
  }
  for (int i = 0; i < 11; i++) {
    const int64_t extent = kind[i] == 0 ? rows * d : kind[i] == 1 ? d : rows;
    if (!in_bounds(off[i], extent, byte_length)) {
      char msg[128];
      snprintf(msg, sizeof msg, "farzi_blas.layerNormGradGrad: %s lies outside the buffer",
               names[i]);
      napi_throw_range_error(env, NULL, msg);
      return NULL;
    }
  }
#define LN_AT(i) ((float *)((char *)base + off[i]))
  if (!layer_norm_grad_grad_rows(LN_AT(0), LN_AT(1), LN_AT(2), LN_AT(3), LN_AT(4), LN_AT(5),
                                 LN_AT(6), LN_AT(7), LN_AT(8), LN_AT(9), LN_AT(10), rows, d)) {
    napi_throw_error(env, NULL, "farzi_blas.layerNormGradGrad: out of memory");
  }
#undef LN_AT
  return NULL;
}
