// exp and the fused softmax cross-entropy (with its gradient) over the class axis.
// Vectorised by the compiler (glibc's libmvec) under -ffast-math; -fno-finite-math-only keeps
// NaN and infinities as IEEE (NaN in, NaN out), so a diverging run is still detected.
#include "common.h"

// libmvec's vector expf leaves its fast path below about −87.3 (denormal results) and takes a
// slow path per lane, 10-20× slower; masked attention scores (−1e9) made that half of all lanes.
// So the vector loop sees inputs clamped at −80 (clamped in a pass of its own: folded into the
// call's argument, the compiler evaluated expf on the unclamped lanes as well), and the few
// inputs below −80 are recomputed afterwards: 0 below −104 (float32 rounds those to 0), the
// scalar expf between. NaN passes the clamp unchanged and stays NaN.
__attribute__((noinline)) static float scalar_expf(float x) { return expf(x); }

VECTOR_LOOP static void exp_loop(const float *restrict x, float *restrict y, int64_t n) {
  int64_t low = 0;
  for (int64_t i = 0; i < n; i++) {
    low += x[i] < -80.0f;
    y[i] = x[i] < -80.0f ? -80.0f : x[i];
  }
  for (int64_t i = 0; i < n; i++) y[i] = expf(y[i]);
  if (low == 0) return;
  for (int64_t i = 0; i < n; i++) {
    if (x[i] < -80.0f) y[i] = x[i] < -104.0f ? 0.0f : scalar_expf(x[i]);
  }
}

// exp over blocks [r0, r1) of 4096 values (the last block may be shorter).
struct exp_ctx {
  const float *x;
  float *y;
  int64_t n;
};

static void exp_chunk(void *arg, int64_t r0, int64_t r1) {
  const struct exp_ctx *c = arg;
  const int64_t from = r0 * 4096;
  const int64_t to = r1 * 4096 < c->n ? r1 * 4096 : c->n;
  if (to > from) exp_loop(c->x + from, c->y + from, to - from);
}

// expFloat(buffer, xOffset, yOffset, n): y = exp(x) elementwise, float32, byte offsets into buffer.
napi_value exp_float(napi_env env, napi_callback_info info) {
  napi_value argv[4];
  void *base;
  size_t byte_length;
  if (!get_args(env, info, 4, argv, &base, &byte_length, "expFloat")) return NULL;
  int64_t x_off, y_off, n;
  if (!get_i64(env, argv[1], &x_off, "xOffset") || !get_i64(env, argv[2], &y_off, "yOffset") ||
      !get_i64(env, argv[3], &n, "n"))
    return NULL;
  if (!in_bounds(x_off, n, byte_length) || !in_bounds(y_off, n, byte_length)) {
    napi_throw_range_error(env, NULL, "farzi_blas.expFloat: an operand lies outside the buffer");
    return NULL;
  }
  struct exp_ctx ctx = {(const float *)((char *)base + x_off), (float *)((char *)base + y_off), n};
  parallel_rows(exp_chunk, &ctx, (n + 4095) / 4096, n);
  return NULL;
}

// Softmax cross-entropy with one label per row, fused over the class axis. For each row r of the
// rows × classes logits z: lse[r] = log Σ_v exp(z[r,v]) (stable: the row max is subtracted) and
// loss[r] = lse[r] − z[r, labels[r]]. Labels must lie in [0, classes). NaN or +inf logits make the
// row's sum NaN, so the caller's divergence check sees them.
VECTOR_LOOP static void xent_rows(const float *restrict z, const int32_t *restrict labels,
                                  float *restrict loss, float *restrict lse, float *restrict tmp,
                                  int64_t rows, int64_t classes) {
  for (int64_t r = 0; r < rows; r++) {
    const float *zr = z + r * classes;
    const float m = row_max(zr, classes);
    for (int64_t v = 0; v < classes; v++) tmp[v] = expf(zr[v] - m);
    float s = 0.0f;
    for (int64_t v = 0; v < classes; v++) s += tmp[v];
    const float l = m + logf(s);
    lse[r] = l;
    loss[r] = l - zr[labels[r]];
  }
}

struct xent_ctx {
  const float *z, *lse, *scale;
  const int32_t *labels;
  float *loss, *lse_out, *dz;
  int64_t classes;
  int failed;
};

static void xent_chunk(void *arg, int64_t r0, int64_t r1) {
  struct xent_ctx *c = arg;
  float *tmp = malloc((size_t)c->classes * sizeof(float));
  if (!tmp) {
    c->failed = 1;
    return;
  }
  xent_rows(c->z + r0 * c->classes, c->labels + r0, c->loss + r0, c->lse_out + r0, tmp, r1 - r0,
            c->classes);
  free(tmp);
}

// dz[r,v] = scale[r] · (exp(z[r,v] − lse[r]) − [v = labels[r]]): the gradient of Σ_r scale[r]·loss[r].
VECTOR_LOOP static void xent_grad_rows(const float *restrict z, const float *restrict lse,
                           const int32_t *restrict labels, const float *restrict scale,
                           float *restrict dz, int64_t rows, int64_t classes) {
  for (int64_t r = 0; r < rows; r++) {
    const float *zr = z + r * classes;
    float *dr = dz + r * classes;
    const float l = lse[r], s = scale[r];
    for (int64_t v = 0; v < classes; v++) dr[v] = s * expf(zr[v] - l);
    dr[labels[r]] -= s;
  }
}

static void xent_grad_chunk(void *arg, int64_t r0, int64_t r1) {
  const struct xent_ctx *c = arg;
  xent_grad_rows(c->z + r0 * c->classes, c->lse + r0, c->labels + r0, c->scale + r0,
                 c->dz + r0 * c->classes, r1 - r0, c->classes);
}

// Reads the int32 labels at `offset` and checks each lies in [0, classes).
static int check_labels(napi_env env, const void *base, int64_t offset, int64_t rows,
                        int64_t classes, const char *name) {
  const int32_t *labels = (const int32_t *)((const char *)base + offset);
  for (int64_t r = 0; r < rows; r++) {
    if (labels[r] < 0 || labels[r] >= classes) {
      char msg[160];
      snprintf(msg, sizeof msg, "farzi_blas.%s: label %d of row %lld is outside [0, %lld)", name,
               labels[r], (long long)r, (long long)classes);
      napi_throw_range_error(env, NULL, msg);
      return 0;
    }
  }
  return 1;
}

// softmaxXent(buffer, logitsOffset, labelsOffset, lossOffset, lseOffset, rows, classes)
napi_value softmax_xent(napi_env env, napi_callback_info info) {
  napi_value argv[7];
  void *base;
  size_t byte_length;
  if (!get_args(env, info, 7, argv, &base, &byte_length, "softmaxXent")) return NULL;
  int64_t z_off, t_off, loss_off, lse_off, rows, classes;
  if (!get_i64(env, argv[1], &z_off, "logitsOffset") ||
      !get_i64(env, argv[2], &t_off, "labelsOffset") ||
      !get_i64(env, argv[3], &loss_off, "lossOffset") ||
      !get_i64(env, argv[4], &lse_off, "lseOffset") || !get_i64(env, argv[5], &rows, "rows") ||
      !get_i64(env, argv[6], &classes, "classes"))
    return NULL;
  if (rows < 0 || classes < 1) {
    napi_throw_range_error(env, NULL, "farzi_blas.softmaxXent: invalid sizes");
    return NULL;
  }
  if (!in_bounds(z_off, rows * classes, byte_length) || !in_bounds(t_off, rows, byte_length) ||
      !in_bounds(loss_off, rows, byte_length) || !in_bounds(lse_off, rows, byte_length)) {
    napi_throw_range_error(env, NULL, "farzi_blas.softmaxXent: an operand lies outside the buffer");
    return NULL;
  }
  if (!check_labels(env, base, t_off, rows, classes, "softmaxXent")) return NULL;
  struct xent_ctx ctx = {.z = (const float *)((char *)base + z_off),
                         .labels = (const int32_t *)((char *)base + t_off),
                         .loss = (float *)((char *)base + loss_off),
                         .lse_out = (float *)((char *)base + lse_off),
                         .classes = classes};
  parallel_rows(xent_chunk, &ctx, rows, rows * classes);
  if (ctx.failed) napi_throw_error(env, NULL, "farzi_blas.softmaxXent: out of memory");
  return NULL;
}

// softmaxXentGrad(buffer, logitsOffset, lseOffset, labelsOffset, scaleOffset, outOffset, rows,
// classes)
napi_value softmax_xent_grad(napi_env env, napi_callback_info info) {
  napi_value argv[8];
  void *base;
  size_t byte_length;
  if (!get_args(env, info, 8, argv, &base, &byte_length, "softmaxXentGrad")) return NULL;
  int64_t z_off, lse_off, t_off, s_off, out_off, rows, classes;
  if (!get_i64(env, argv[1], &z_off, "logitsOffset") ||
      !get_i64(env, argv[2], &lse_off, "lseOffset") ||
      !get_i64(env, argv[3], &t_off, "labelsOffset") ||
      !get_i64(env, argv[4], &s_off, "scaleOffset") ||
      !get_i64(env, argv[5], &out_off, "outOffset") || !get_i64(env, argv[6], &rows, "rows") ||
      !get_i64(env, argv[7], &classes, "classes"))
    return NULL;
  if (rows < 0 || classes < 1) {
    napi_throw_range_error(env, NULL, "farzi_blas.softmaxXentGrad: invalid sizes");
    return NULL;
  }
  if (!in_bounds(z_off, rows * classes, byte_length) || !in_bounds(lse_off, rows, byte_length) ||
      !in_bounds(t_off, rows, byte_length) || !in_bounds(s_off, rows, byte_length) ||
      !in_bounds(out_off, rows * classes, byte_length)) {
    napi_throw_range_error(env, NULL,
                           "farzi_blas.softmaxXentGrad: an operand lies outside the buffer");
    return NULL;
  }
  if (!check_labels(env, base, t_off, rows, classes, "softmaxXentGrad")) return NULL;
  struct xent_ctx ctx = {.z = (const float *)((char *)base + z_off),
                         .lse = (const float *)((char *)base + lse_off),
                         .labels = (const int32_t *)((char *)base + t_off),
                         .scale = (const float *)((char *)base + s_off),
                         .dz = (float *)((char *)base + out_off),
                         .classes = classes};
  parallel_rows(xent_grad_chunk, &ctx, rows, rows * classes);
  return NULL;
}
