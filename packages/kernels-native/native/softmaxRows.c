// Softmax over each row of x/τ + b (attention: scores over the keys, τ = √d_head, b the additive
// mask, optional), with its gradient and the gradient of its gradient, each one call over the
// rows × cols input. Per row, with p = softmax(x/τ + b), s = 1/τ and a cotangent a of p:
//
//   softmaxRows          y  = p
//   softmaxRowsGrad      dx = s·p ⊙ (a − ⟨p, a⟩)                       (b gets no gradient)
//   softmaxRowsGradGrad  for a cotangent u of dx, with pu = ⟨p, u⟩, pa = ⟨p, a⟩ and
//                        c = u⊙a − pu·a − pa·u:
//                        dx = s²·p ⊙ (c − ⟨p, c⟩)    da = s·p ⊙ (u − pu)
//
// (⟨u, dx⟩ = s·(⟨u⊙p, a⟩ − pu·pa); its derivative in p is s·c, pulled back through the softmax's
// Jacobian diag(p) − p·pᵀ and the 1/τ.) The composed ops take ~7 passes forward, ~15 for the
// gradient and ~35 for its gradient; these take two or three. Row sums accumulate in double; z is
// formed as x/τ + b in float32, as the composed ops round it.
#include "common.h"
#include "rowMath.h"

struct rows_ctx;
// One row's work, with z a scratch row of cols floats.
typedef void (*row_fn)(const struct rows_ctx *c, int64_t r, float *restrict z);

struct rows_ctx {
  const float *x, *b, *a, *u;
  float *y, *dx, *da;
  int64_t cols;
  float tau;
  row_fn row;
  int failed;
};

// z = x/τ + b for one row (b may be NULL).
VECTOR_LOOP static void shifted_input(const float *restrict x, const float *restrict b, float tau,
                                      float *restrict z, int64_t n) {
  if (b) {
    for (int64_t v = 0; v < n; v++) z[v] = x[v] / tau + b[v];
  } else {
    for (int64_t v = 0; v < n; v++) z[v] = x[v] / tau;
  }
}

VECTOR_LOOP static void scale_row(float *restrict p, float f, int64_t n) {
  for (int64_t v = 0; v < n; v++) p[v] *= f;
}

// p = softmax(x[r]/τ + b[r]) into p, with z as scratch.
static void row_softmax(const struct rows_ctx *c, int64_t r, float *restrict z, float *restrict p) {
  const int64_t n = c->cols;
  shifted_input(c->x + r * n, c->b ? c->b + r * n : NULL, c->tau, z, n);
  shifted_exp(z, row_max(z, n), p, n);
  scale_row(p, (float)(1.0 / sum_d(p, n)), n);
}

// Runs c->row over rows [r0, r1) with one scratch row.
static void rows_chunk(void *arg, int64_t r0, int64_t r1) {
  struct rows_ctx *c = arg;
  float *z = malloc((size_t)c->cols * sizeof(float));
  if (!z) {
    c->failed = 1;
    return;
  }
  for (int64_t r = r0; r < r1; r++) c->row(c, r, z);
  free(z);
}

static void forward_one(const struct rows_ctx *c, int64_t r, float *restrict z) {
  row_softmax(c, r, z, c->y + r * c->cols);
}

VECTOR_LOOP static void grad_row(float *restrict dx, const float *restrict a, float s, float pa,
                                 int64_t n) {
  for (int64_t v = 0; v < n; v++) dx[v] = s * dx[v] * (a[v] - pa);
}

static void grad_one(const struct rows_ctx *c, int64_t r, float *restrict z) {
  const int64_t n = c->cols;
  float *dx = c->dx + r * n;
  row_softmax(c, r, z, dx);
  const float pa = (float)dot_d(dx, c->a + r * n, n);
  grad_row(dx, c->a + r * n, 1.0f / c->tau, pa, n);
}

// c = u⊙a − pu·a − pa·u into z.
VECTOR_LOOP static void mixed_row(float *restrict z, const float *restrict u,
                                  const float *restrict a, float pu, float pa, int64_t n) {
  for (int64_t v = 0; v < n; v++) z[v] = u[v] * a[v] - pu * a[v] - pa * u[v];
}

// dx = s²·p ⊙ (c − pc) (p in dx, c in z); da = s·p ⊙ (u − pu).
VECTOR_LOOP static void grad_grad_row(float *restrict dx, float *restrict da,
                                      const float *restrict z, const float *restrict u, float s,
                                      float pu, float pc, int64_t n) {
  for (int64_t v = 0; v < n; v++) {
    const float p = dx[v];
    da[v] = s * p * (u[v] - pu);
    dx[v] = s * s * p * (z[v] - pc);
  }
}

static void grad_grad_one(const struct rows_ctx *c, int64_t r, float *restrict z) {
  const int64_t n = c->cols;
  const float *a = c->a + r * n, *u = c->u + r * n;
  float *dx = c->dx + r * n;
  row_softmax(c, r, z, dx);
  const float pu = (float)dot_d(dx, u, n), pa = (float)dot_d(dx, a, n);
  mixed_row(z, u, a, pu, pa, n);
  const float pc = (float)dot_d(dx, z, n);
  grad_grad_row(dx, c->da + r * n, z, u, 1.0f / c->tau, pu, pc, n);
}

// Reads `count` byte offsets (the bias's first; −1: no bias), then rows, cols and τ; checks that
// every operand lies inside the buffer.
static int read_rows_args(napi_env env, napi_value *argv, size_t count, const char *const *names,
                          int64_t *off, int64_t *rows, int64_t *cols, double *tau,
                          size_t byte_length, const char *fn) {
  for (size_t i = 0; i < count; i++)
    if (!get_i64(env, argv[1 + i], &off[i], names[i])) return 0;
  if (!get_i64(env, argv[1 + count], rows, "rows") ||
      !get_i64(env, argv[2 + count], cols, "cols") ||
      !get_f64(env, argv[3 + count], tau, "temperature"))
    return 0;
  char msg[160];
  if (*rows < 0 || *cols < 1 || !(*tau > 0) || !isfinite(*tau)) {
    snprintf(msg, sizeof msg, "farzi_blas.%s: invalid sizes or temperature", fn);
    napi_throw_range_error(env, NULL, msg);
    return 0;
  }
  for (size_t i = 0; i < count; i++) {
    if (i == 1 && off[i] == -1) continue;
    if (!in_bounds(off[i], *rows * *cols, byte_length)) {
      snprintf(msg, sizeof msg, "farzi_blas.%s: %s lies outside the buffer", fn, names[i]);
      napi_throw_range_error(env, NULL, msg);
      return 0;
    }
  }
  return 1;
}

#define AT(i) ((float *)((char *)base + off[i]))
#define BIAS (off[1] == -1 ? NULL : AT(1))

static napi_value finish(napi_env env, const struct rows_ctx *c, const char *fn) {
  if (c->failed) {
    char msg[96];
    snprintf(msg, sizeof msg, "farzi_blas.%s: out of memory", fn);
    napi_throw_error(env, NULL, msg);
  }
  return NULL;
}

// softmaxRows(buffer, xOffset, biasOffset, yOffset, rows, cols, temperature)
napi_value softmax_rows(napi_env env, napi_callback_info info) {
  napi_value argv[7];
  void *base;
  size_t byte_length;
  static const char *const names[] = {"xOffset", "biasOffset", "yOffset"};
  int64_t off[3], rows, cols;
  double tau;
  if (!get_args(env, info, 7, argv, &base, &byte_length, "softmaxRows") ||
      !read_rows_args(env, argv, 3, names, off, &rows, &cols, &tau, byte_length, "softmaxRows"))
    return NULL;
  struct rows_ctx c = {
      .x = AT(0), .b = BIAS, .y = AT(2), .cols = cols, .tau = (float)tau, .row = forward_one};
  parallel_rows(rows_chunk, &c, rows, rows * cols);
  return finish(env, &c, "softmaxRows");
}

// softmaxRowsGrad(buffer, xOffset, biasOffset, dyOffset, dxOffset, rows, cols, temperature)
napi_value softmax_rows_grad(napi_env env, napi_callback_info info) {
  napi_value argv[8];
  void *base;
  size_t byte_length;
  static const char *const names[] = {"xOffset", "biasOffset", "dyOffset", "dxOffset"};
  int64_t off[4], rows, cols;
  double tau;
  if (!get_args(env, info, 8, argv, &base, &byte_length, "softmaxRowsGrad") ||
      !read_rows_args(env, argv, 4, names, off, &rows, &cols, &tau, byte_length,
                      "softmaxRowsGrad"))
    return NULL;
  struct rows_ctx c = {.x = AT(0),
                       .b = BIAS,
                       .a = AT(2),
                       .dx = AT(3),
                       .cols = cols,
                       .tau = (float)tau,
                       .row = grad_one};
  parallel_rows(rows_chunk, &c, rows, rows * cols);
  return finish(env, &c, "softmaxRowsGrad");
}

// softmaxRowsGradGrad(buffer, xOffset, biasOffset, dyOffset, cotangentOffset, dxOffset,
//                     dDyOffset, rows, cols, temperature)
napi_value softmax_rows_grad_grad(napi_env env, napi_callback_info info) {
  napi_value argv[10];
  void *base;
  size_t byte_length;
  static const char *const names[] = {"xOffset",         "biasOffset", "dyOffset",
                                      "cotangentOffset", "dxOffset",   "dDyOffset"};
  int64_t off[6], rows, cols;
  double tau;
  if (!get_args(env, info, 10, argv, &base, &byte_length, "softmaxRowsGradGrad") ||
      !read_rows_args(env, argv, 6, names, off, &rows, &cols, &tau, byte_length,
                      "softmaxRowsGradGrad"))
    return NULL;
  struct rows_ctx c = {.x = AT(0),
                       .b = BIAS,
                       .a = AT(2),
                       .u = AT(3),
                       .dx = AT(4),
                       .da = AT(5),
                       .cols = cols,
                       .tau = (float)tau,
                       .row = grad_grad_one};
  parallel_rows(rows_chunk, &c, rows, rows * cols);
  return finish(env, &c, "softmaxRowsGradGrad");
}
