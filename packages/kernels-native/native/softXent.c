// Cross-entropy against soft targets over the class axis, with its gradient and the gradient of
// its gradient (the Hessian-vector products of the Farzi reverse pass), each one call over the
// rows × classes logits z and targets t. Per row, with p = softmax(z), s = Σ_v t_v and a row
// scale y (the upstream gradient):
//
//   softXent          loss = Σ_v t_v·(lse − z_v)                 (= −⟨t, log p⟩)
//   softXentGrad      out  = y·(s·p − t)                         (∂(y·loss)/∂z)
//   softXentGradGrad  for a cotangent u of out, with pu = ⟨p, u⟩:
//                     dz = y·s·p ⊙ (u − pu)   dt = y·(pu − u)   dy = s·pu − ⟨t, u⟩
//
// Row sums accumulate in double. Differentiating the composed log-softmax instead takes ~15
// passes over [rows × classes] for the gradient and ~40 for the second products; these take two
// or three. Vectorised under -ffast-math with -fno-finite-math-only (NaN in, NaN out).
#include "common.h"
#include "rowMath.h"

// Σ_v t_v·(log S − (z_v − m)) = s·(log S + m) − ⟨t, z⟩, accumulated in double.
VECTOR_LOOP static double loss_row(const float *restrict z, const float *restrict t, float m,
                                   double log_s, int64_t n) {
  double s = 0;
  for (int64_t v = 0; v < n; v++) s += (double)t[v] * (log_s - ((double)z[v] - m));
  return s;
}

struct soft_ctx {
  const float *z, *t, *y, *u;
  float *loss, *out, *dt, *dy;
  int64_t classes;
  int failed;
};

static void loss_chunk(void *arg, int64_t r0, int64_t r1) {
  struct soft_ctx *c = arg;
  const int64_t n = c->classes;
  float *e = malloc((size_t)n * sizeof(float));
  if (!e) {
    c->failed = 1;
    return;
  }
  for (int64_t r = r0; r < r1; r++) {
    const float *z = c->z + r * n;
    const float m = row_max(z, n);
    shifted_exp(z, m, e, n);
    c->loss[r] = (float)loss_row(z, c->t + r * n, m, log(sum_d(e, n)), n);
  }
  free(e);
}

// out = a·e − b·t (e = exp(z − m) already in out).
VECTOR_LOOP static void grad_row(float *restrict out, const float *restrict t, float a, float b,
                                 int64_t n) {
  for (int64_t v = 0; v < n; v++) out[v] = a * out[v] - b * t[v];
}

static void grad_chunk(void *arg, int64_t r0, int64_t r1) {
  struct soft_ctx *c = arg;
  const int64_t n = c->classes;
  for (int64_t r = r0; r < r1; r++) {
    const float *z = c->z + r * n, *t = c->t + r * n;
    float *out = c->out + r * n;
    shifted_exp(z, row_max(z, n), out, n);
    const double y = c->y[r];
    // y·(s·p − t) with p = e / S.
    grad_row(out, t, (float)(y * sum_d(t, n) / sum_d(out, n)), (float)y, n);
  }
}

// dz = a·p ⊙ (u − pu) with p = e·inv (e already in dz); dt = y·(pu − u).
VECTOR_LOOP static void grad_grad_row(float *restrict dz, float *restrict dt,
                                      const float *restrict u, float inv, float a, float y,
                                      float pu, int64_t n) {
  for (int64_t v = 0; v < n; v++) {
    dz[v] = a * (dz[v] * inv) * (u[v] - pu);
    dt[v] = y * (pu - u[v]);
  }
}

static void grad_grad_chunk(void *arg, int64_t r0, int64_t r1) {
  struct soft_ctx *c = arg;
  const int64_t n = c->classes;
  for (int64_t r = r0; r < r1; r++) {
    const float *z = c->z + r * n, *t = c->t + r * n, *u = c->u + r * n;
    float *dz = c->out + r * n;
    shifted_exp(z, row_max(z, n), dz, n);
    const double inv = 1.0 / sum_d(dz, n);
    const double pu = dot_d(dz, u, n) * inv, s = sum_d(t, n), y = c->y[r];
    c->dy[r] = (float)(s * pu - dot_d(t, u, n));
    grad_grad_row(dz, c->dt + r * n, u, (float)inv, (float)(y * s), (float)y, (float)pu, n);
  }
}

// Reads `count` byte offsets from argv[1..count] and the sizes after them; checks that the
// operands named in `big` ([rows × classes]) and the rest ([rows]) lie inside the buffer.
static int read_operands(napi_env env, napi_value *argv, size_t count, const char *const *names,
                         const int *big, int64_t *offsets, int64_t *rows, int64_t *classes,
                         size_t byte_length, const char *fn) {
  for (size_t i = 0; i < count; i++)
    if (!get_i64(env, argv[1 + i], &offsets[i], names[i])) return 0;
  if (!get_i64(env, argv[1 + count], rows, "rows") ||
      !get_i64(env, argv[2 + count], classes, "classes"))
    return 0;
  char msg[160];
  if (*rows < 0 || *classes < 1) {
    snprintf(msg, sizeof msg, "farzi_blas.%s: invalid sizes", fn);
    napi_throw_range_error(env, NULL, msg);
    return 0;
  }
  for (size_t i = 0; i < count; i++) {
    if (!in_bounds(offsets[i], big[i] ? *rows * *classes : *rows, byte_length)) {
      snprintf(msg, sizeof msg, "farzi_blas.%s: %s lies outside the buffer", fn, names[i]);
      napi_throw_range_error(env, NULL, msg);
      return 0;
    }
  }
  return 1;
}

#define AT(i) ((float *)((char *)base + off[i]))

// softXent(buffer, logitsOffset, targetsOffset, lossOffset, rows, classes)
napi_value soft_xent(napi_env env, napi_callback_info info) {
  napi_value argv[6];
  void *base;
  size_t byte_length;
  static const char *const names[] = {"logitsOffset", "targetsOffset", "lossOffset"};
  static const int big[] = {1, 1, 0};
  int64_t off[3], rows, classes;
  if (!get_args(env, info, 6, argv, &base, &byte_length, "softXent") ||
      !read_operands(env, argv, 3, names, big, off, &rows, &classes, byte_length, "softXent"))
    return NULL;
  struct soft_ctx ctx = {.z = AT(0), .t = AT(1), .loss = AT(2), .classes = classes};
  parallel_rows(loss_chunk, &ctx, rows, rows * classes);
  if (ctx.failed) napi_throw_error(env, NULL, "farzi_blas.softXent: out of memory");
  return NULL;
}

// softXentGrad(buffer, logitsOffset, targetsOffset, scaleOffset, outOffset, rows, classes)
napi_value soft_xent_grad(napi_env env, napi_callback_info info) {
  napi_value argv[7];
  void *base;
  size_t byte_length;
  static const char *const names[] = {"logitsOffset", "targetsOffset", "scaleOffset",
                                      "outOffset"};
  static const int big[] = {1, 1, 0, 1};
  int64_t off[4], rows, classes;
  if (!get_args(env, info, 7, argv, &base, &byte_length, "softXentGrad") ||
      !read_operands(env, argv, 4, names, big, off, &rows, &classes, byte_length, "softXentGrad"))
    return NULL;
  struct soft_ctx ctx = {.z = AT(0), .t = AT(1), .y = AT(2), .out = AT(3), .classes = classes};
  parallel_rows(grad_chunk, &ctx, rows, rows * classes);
  return NULL;
}

// softXentGradGrad(buffer, logitsOffset, targetsOffset, scaleOffset, cotangentOffset,
//                  dLogitsOffset, dTargetsOffset, dScaleOffset, rows, classes)
napi_value soft_xent_grad_grad(napi_env env, napi_callback_info info) {
  napi_value argv[10];
  void *base;
  size_t byte_length;
  static const char *const names[] = {"logitsOffset",  "targetsOffset",  "scaleOffset",
                                      "cotangentOffset", "dLogitsOffset", "dTargetsOffset",
                                      "dScaleOffset"};
  static const int big[] = {1, 1, 0, 1, 1, 1, 0};
  int64_t off[7], rows, classes;
  if (!get_args(env, info, 10, argv, &base, &byte_length, "softXentGradGrad") ||
      !read_operands(env, argv, 7, names, big, off, &rows, &classes, byte_length,
                     "softXentGradGrad"))
    return NULL;
  struct soft_ctx ctx = {.z = AT(0),
                         .t = AT(1),
                         .y = AT(2),
                         .u = AT(3),
                         .out = AT(4),
                         .dt = AT(5),
                         .dy = AT(6),
                         .classes = classes};
  parallel_rows(grad_grad_chunk, &ctx, rows, rows * classes);
  return NULL;
}
