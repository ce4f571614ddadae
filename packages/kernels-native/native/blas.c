// N-API addon: single-precision matrix products with OpenBLAS, computed directly on the memory of
// TensorFlow.js's wasm backend (one ArrayBuffer that holds every tensor). Every offset and extent
// is checked against the buffer before OpenBLAS touches it.
#include <node_api.h>
#include <cblas.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <pthread.h>
#include <stdlib.h>

// glibc declares the libmvec vector variants of expf only under __FAST_MATH__, which
// -fno-finite-math-only (kept so NaN and infinities behave) turns off: declare them here so the
// loops below vectorise. target_clones builds an AVX2 copy of each loop, chosen at load time.
float expf(float) __attribute__((__simd__("notinbranch")));
// Products below this many multiply-adds (m·n·k summed over the batch) run on one thread;
// FARZI_BLAS_PARALLEL_MIN_WORK overrides it (0: every product uses all of OpenBLAS's threads).
#define PARALLEL_MIN_WORK 5.0e7

static double parallel_min_work(void) {
  static double value = -1;
  if (value < 0) {
    const char *env = getenv("FARZI_BLAS_PARALLEL_MIN_WORK");
    char *end = NULL;
    const double parsed = env ? strtod(env, &end) : -1;
    value = env && end != env && parsed >= 0 ? parsed : PARALLEL_MIN_WORK;
  }
  return value;
}

#define VECTOR_LOOP __attribute__((target_clones("avx2", "default")))

#define CHECK(env, call)                                                                          \
  do {                                                                                            \
    if ((call) != napi_ok) {                                                                      \
      napi_throw_error((env), NULL, "farzi_blas: N-API call failed: " #call);                    \
      return NULL;                                                                                \
    }                                                                                             \
  } while (0)

static int get_i64(napi_env env, napi_value v, int64_t *out, const char *name) {
  if (napi_get_value_int64(env, v, out) != napi_ok) {
    char msg[128];
    snprintf(msg, sizeof msg, "farzi_blas: %s must be a number", name);
    napi_throw_type_error(env, NULL, msg);
    return 0;
  }
  return 1;
}

static int get_i32_array(napi_env env, napi_value v, int32_t **data, size_t *length,
                         const char *name) {
  napi_typedarray_type type;
  napi_value ab;
  size_t offset;
  void *raw;
  if (napi_get_typedarray_info(env, v, &type, length, &raw, &ab, &offset) != napi_ok ||
      type != napi_int32_array) {
    char msg[128];
    snprintf(msg, sizeof msg, "farzi_blas.sgemmBatched: %s must be an Int32Array", name);
    napi_throw_type_error(env, NULL, msg);
    return 0;
  }
  *data = (int32_t *)raw;
  return 1;
}

static int in_bounds(int64_t offset, int64_t floats, size_t byte_length) {
  return offset >= 0 && offset % 4 == 0 && floats >= 0 &&
         (uint64_t)offset + (uint64_t)floats * 4u <= (uint64_t)byte_length;
}

// Reads exactly `count` arguments into argv and the ArrayBuffer in argv[0]; throws and returns 0
// otherwise. `name` is the function's name for the error messages.
static int get_args(napi_env env, napi_callback_info info, size_t count, napi_value *argv,
                    void **base, size_t *byte_length, const char *name) {
  size_t argc = count;
  char msg[128];
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc != count) {
    snprintf(msg, sizeof msg, "farzi_blas.%s: expected %zu arguments", name, count);
    napi_throw_error(env, NULL, msg);
    return 0;
  }
  if (napi_get_arraybuffer_info(env, argv[0], base, byte_length) != napi_ok) {
    snprintf(msg, sizeof msg, "farzi_blas.%s: buffer must be an ArrayBuffer", name);
    napi_throw_type_error(env, NULL, msg);
    return 0;
  }
  return 1;
}

// The thread count OpenBLAS started with (OPENBLAS_NUM_THREADS or the cores), read once: the
// per-call choice in sgemmBatched changes openblas_get_num_threads.
static int openblas_max_threads(void) {
  static int max_threads = 0;
  if (max_threads == 0) max_threads = openblas_get_num_threads();
  return max_threads;
}

// sgemmBatched(buffer, aOffset, bOffset, cOffset, m, n, k, transposeA, transposeB, aIndex, bIndex)
// For each output batch i: C[i] (m×n, row-major) = op(A[aIndex[i]]) · op(B[bIndex[i]]), where
// op(A) is m×k (A stored k×m when transposed) and op(B) is k×n (B stored n×k when transposed).
// Offsets are in bytes into `buffer`; A, B, C are densely packed batches of matrices.
static napi_value sgemm_batched(napi_env env, napi_callback_info info) {
  napi_value argv[11];
  void *base;
  size_t byte_length;
  if (!get_args(env, info, 11, argv, &base, &byte_length, "sgemmBatched")) return NULL;
  int64_t a_off, b_off, c_off, m, n, k;
  if (!get_i64(env, argv[1], &a_off, "aOffset") || !get_i64(env, argv[2], &b_off, "bOffset") ||
      !get_i64(env, argv[3], &c_off, "cOffset") || !get_i64(env, argv[4], &m, "m") ||
      !get_i64(env, argv[5], &n, "n") || !get_i64(env, argv[6], &k, "k"))
    return NULL;
  bool trans_a, trans_b;
  if (napi_get_value_bool(env, argv[7], &trans_a) != napi_ok ||
      napi_get_value_bool(env, argv[8], &trans_b) != napi_ok) {
    napi_throw_type_error(env, NULL, "farzi_blas.sgemmBatched: transpose flags must be booleans");
    return NULL;
  }
  int32_t *a_index, *b_index;
  size_t batch, b_batch;
  if (!get_i32_array(env, argv[9], &a_index, &batch, "aIndex") ||
      !get_i32_array(env, argv[10], &b_index, &b_batch, "bIndex"))
    return NULL;
  if (b_batch != batch || m < 0 || n < 0 || k < 0 || m > INT32_MAX || n > INT32_MAX ||
      k > INT32_MAX) {
    napi_throw_range_error(env, NULL, "farzi_blas.sgemmBatched: invalid sizes");
    return NULL;
  }
  int64_t a_batches = 0, b_batches = 0;
  for (size_t i = 0; i < batch; i++) {
    if (a_index[i] < 0 || b_index[i] < 0) {
      napi_throw_range_error(env, NULL, "farzi_blas.sgemmBatched: negative batch index");
      return NULL;
    }
    if (a_index[i] + 1 > a_batches) a_batches = a_index[i] + 1;
    if (b_index[i] + 1 > b_batches) b_batches = b_index[i] + 1;
  }
  if (!in_bounds(a_off, a_batches * m * k, byte_length) ||
      !in_bounds(b_off, b_batches * k * n, byte_length) ||
      !in_bounds(c_off, (int64_t)batch * m * n, byte_length)) {
    napi_throw_range_error(env, NULL,
                           "farzi_blas.sgemmBatched: an operand lies outside the buffer");
    return NULL;
  }
  float *a = (float *)((char *)base + a_off);
  float *b = (float *)((char *)base + b_off);
  float *c = (float *)((char *)base + c_off);
  // OpenBLAS's threads pay off only on large products; on the many small ones (50 × 50 weights,
  // per-sequence attention) a second thread costs more than it saves and keeps spinning while the
  // single-threaded elementwise kernels run. Threads are chosen per call from the work size.
  const int max_threads = openblas_max_threads();
  const double work = (double)m * (double)n * (double)k * (double)batch;
  openblas_set_num_threads(work >= parallel_min_work() ? max_threads : 1);
  const int lda = trans_a ? (int)m : (int)k;
  const int ldb = trans_b ? (int)k : (int)n;
  for (size_t i = 0; i < batch; i++) {
    float *ci = c + (int64_t)i * m * n;
    if (k == 0) {
      for (int64_t j = 0; j < m * n; j++) ci[j] = 0.0f;
      continue;
    }
    if (m == 0 || n == 0) continue;
    cblas_sgemm(CblasRowMajor, trans_a ? CblasTrans : CblasNoTrans,
                trans_b ? CblasTrans : CblasNoTrans, (int)m, (int)n, (int)k, 1.0f,
                a + (int64_t)a_index[i] * m * k, lda, b + (int64_t)b_index[i] * k * n, ldb,
                0.0f, ci, (int)n);
  }
  return NULL;
}

// Vectorised by the compiler (glibc's libmvec) under -ffast-math; -fno-finite-math-only keeps
// NaN and infinities as IEEE (NaN in, NaN out), so a diverging run is still detected.
// Row-parallel execution of the elementwise kernels: rows split evenly over up to OpenBLAS's
// thread count (so OPENBLAS_NUM_THREADS=1 keeps everything on one thread); chunks run on
// short-lived pthreads while the calling thread runs the first. Small jobs stay on one thread.
typedef void (*rows_fn)(void *ctx, int64_t r0, int64_t r1);
struct rows_job {
  rows_fn fn;
  void *ctx;
  int64_t r0, r1;
};

static void *run_rows_job(void *arg) {
  struct rows_job *job = arg;
  job->fn(job->ctx, job->r0, job->r1);
  return NULL;
}

#define MAX_ROW_THREADS 8
#define PARALLEL_MIN_VALUES 1000000

static int openblas_max_threads(void);

static void parallel_rows(rows_fn fn, void *ctx, int64_t rows, int64_t values) {
  int t = openblas_max_threads();
  if (t > MAX_ROW_THREADS) t = MAX_ROW_THREADS;
  if (t > rows) t = (int)rows;
  if (t <= 1 || values < PARALLEL_MIN_VALUES) {
    fn(ctx, 0, rows);
    return;
  }
  pthread_t threads[MAX_ROW_THREADS];
  struct rows_job jobs[MAX_ROW_THREADS];
  int started[MAX_ROW_THREADS] = {0};
  for (int i = 1; i < t; i++) {
    jobs[i] = (struct rows_job){fn, ctx, rows * i / t, rows * (i + 1) / t};
    started[i] = pthread_create(&threads[i], NULL, run_rows_job, &jobs[i]) == 0;
  }
  fn(ctx, 0, rows / t);
  for (int i = 1; i < t; i++) {
    if (started[i]) {
      pthread_join(threads[i], NULL);
    } else {
      fn(ctx, jobs[i].r0, jobs[i].r1); // no thread available: run the chunk here
    }
  }
}

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
static napi_value exp_float(napi_env env, napi_callback_info info) {
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

// Row maximum with 8 independent lanes (a single running max is a dependency chain the compiler
// does not vectorise while NaN semantics are kept). NaN entries are skipped here; they still reach
// the sum below, which makes the row NaN.
static inline float row_max(const float *restrict z, int64_t n) {
  float lane[8] = {-INFINITY, -INFINITY, -INFINITY, -INFINITY,
                   -INFINITY, -INFINITY, -INFINITY, -INFINITY};
  int64_t v = 0;
  for (; v + 8 <= n; v += 8)
    for (int j = 0; j < 8; j++) lane[j] = z[v + j] > lane[j] ? z[v + j] : lane[j];
  float m = -INFINITY;
  for (int j = 0; j < 8; j++) m = lane[j] > m ? lane[j] : m;
  for (; v < n; v++) m = z[v] > m ? z[v] : m;
  return m;
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
static napi_value softmax_xent(napi_env env, napi_callback_info info) {
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
static napi_value softmax_xent_grad(napi_env env, napi_callback_info info) {
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

static int get_f64(napi_env env, napi_value v, double *out, const char *name) {
  if (napi_get_value_double(env, v, out) != napi_ok) {
    char msg[128];
    snprintf(msg, sizeof msg, "farzi_blas: %s must be a number", name);
    napi_throw_type_error(env, NULL, msg);
    return 0;
  }
  return 1;
}

// layerNorm(buffer, xOffset, gainOffset, biasOffset, yOffset, meanOffset, rstdOffset, rows, d, eps)
static napi_value layer_norm(napi_env env, napi_callback_info info) {
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
static napi_value layer_norm_grad(napi_env env, napi_callback_info info) {
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

// Column sums: out[j] = Σ_r x[r·inner + j] over `rows` rows (a reduction over leading axes),
// accumulated in double.
static int sum_leading_rows(const float *restrict x, float *restrict out, int64_t rows,
                            int64_t inner) {
  double *acc = calloc((size_t)inner, sizeof(double));
  if (!acc) return 0;
  for (int64_t r = 0; r < rows; r++) {
    const float *xr = x + r * inner;
    for (int64_t j = 0; j < inner; j++) acc[j] += xr[j];
  }
  for (int64_t j = 0; j < inner; j++) out[j] = (float)acc[j];
  free(acc);
  return 1;
}

// sumLeading(buffer, xOffset, outOffset, rows, inner)
static napi_value sum_leading(napi_env env, napi_callback_info info) {
  napi_value argv[5];
  void *base;
  size_t byte_length;
  if (!get_args(env, info, 5, argv, &base, &byte_length, "sumLeading")) return NULL;
  int64_t x_off, out_off, rows, inner;
  if (!get_i64(env, argv[1], &x_off, "xOffset") || !get_i64(env, argv[2], &out_off, "outOffset") ||
      !get_i64(env, argv[3], &rows, "rows") || !get_i64(env, argv[4], &inner, "inner"))
    return NULL;
  if (rows < 0 || inner < 1) {
    napi_throw_range_error(env, NULL, "farzi_blas.sumLeading: invalid sizes");
    return NULL;
  }
  if (!in_bounds(x_off, rows * inner, byte_length) || !in_bounds(out_off, inner, byte_length)) {
    napi_throw_range_error(env, NULL, "farzi_blas.sumLeading: an operand lies outside the buffer");
    return NULL;
  }
  if (!sum_leading_rows((const float *)((char *)base + x_off), (float *)((char *)base + out_off),
                        rows, inner)) {
    napi_throw_error(env, NULL, "farzi_blas.sumLeading: out of memory");
  }
  return NULL;
}

// Division apart, compiled without -ffast-math: x / y stays one IEEE division (never
// x · (1/y)), so results equal the built-in kernel's bit for bit.
__attribute__((optimize("no-fast-math"))) static void divide_row(
    const float *restrict x, float sx, const float *restrict y, float sy, float *restrict o,
    int64_t n) {
  if (x && y) for (int64_t c = 0; c < n; c++) o[c] = x[c] / y[c];
  else if (x) for (int64_t c = 0; c < n; c++) o[c] = x[c] / sy;
  else if (y) for (int64_t c = 0; c < n; c++) o[c] = sx / y[c];
  else for (int64_t c = 0; c < n; c++) o[c] = sx / sy;
}

// Elementwise add / subtract / multiply / divide of float32 operands with the broadcasts models make:
// out[r, c] = a ∘ b over rows × cols, where each operand is full [rows, cols], a scalar, one value
// per row ([rows]) or one value per column ([cols]). Each result is one IEEE operation, exactly as
// the built-in kernels compute it.
enum { OP_ADD = 0, OP_SUB = 1, OP_MUL = 2, OP_DIV = 3 };
enum { KIND_FULL = 0, KIND_SCALAR = 1, KIND_ROW = 2, KIND_COL = 3 };

VECTOR_LOOP static void binary_row(int op, const float *restrict x, float sx,
                                   const float *restrict y, float sy, float *restrict o,
                                   int64_t n) {
  if (x && y) {
    if (op == OP_ADD) for (int64_t c = 0; c < n; c++) o[c] = x[c] + y[c];
    else if (op == OP_SUB) for (int64_t c = 0; c < n; c++) o[c] = x[c] - y[c];
    else for (int64_t c = 0; c < n; c++) o[c] = x[c] * y[c];
  } else if (x) {
    if (op == OP_ADD) for (int64_t c = 0; c < n; c++) o[c] = x[c] + sy;
    else if (op == OP_SUB) for (int64_t c = 0; c < n; c++) o[c] = x[c] - sy;
    else for (int64_t c = 0; c < n; c++) o[c] = x[c] * sy;
  } else if (y) {
    if (op == OP_ADD) for (int64_t c = 0; c < n; c++) o[c] = sx + y[c];
    else if (op == OP_SUB) for (int64_t c = 0; c < n; c++) o[c] = sx - y[c];
    else for (int64_t c = 0; c < n; c++) o[c] = sx * y[c];
  } else {
    const float v = op == OP_ADD ? sx + sy : op == OP_SUB ? sx - sy : sx * sy;
    for (int64_t c = 0; c < n; c++) o[c] = v;
  }
}

struct binary_ctx {
  const float *a, *b;
  float *out;
  int64_t cols;
  int op, ka, kb;
};

// Row r of an operand of kind k: a pointer to `cols` values, or NULL with the value in *scalar.
static inline const float *operand_row(const float *p, int k, int64_t r, int64_t cols,
                                       float *scalar) {
  switch (k) {
    case KIND_FULL: return p + r * cols;
    case KIND_COL: return p;
    case KIND_ROW: *scalar = p[r]; return NULL;
    default: *scalar = p[0]; return NULL;
  }
}

static void binary_chunk(void *arg, int64_t r0, int64_t r1) {
  const struct binary_ctx *c = arg;
  for (int64_t r = r0; r < r1; r++) {
    float sx = 0, sy = 0;
    const float *x = operand_row(c->a, c->ka, r, c->cols, &sx);
    const float *y = operand_row(c->b, c->kb, r, c->cols, &sy);
    if (c->op == OP_DIV) divide_row(x, sx, y, sy, c->out + r * c->cols, c->cols);
    else binary_row(c->op, x, sx, y, sy, c->out + r * c->cols, c->cols);
  }
}

static int64_t operand_size(int k, int64_t rows, int64_t cols) {
  return k == KIND_FULL ? rows * cols : k == KIND_ROW ? rows : k == KIND_COL ? cols : 1;
}

// binaryFloat(buffer, op, aOffset, aKind, bOffset, bKind, outOffset, rows, cols)
static napi_value binary_float(napi_env env, napi_callback_info info) {
  napi_value argv[9];
  void *base;
  size_t byte_length;
  if (!get_args(env, info, 9, argv, &base, &byte_length, "binaryFloat")) return NULL;
  int64_t v[8];
  const char *names[8] = {"op", "aOffset", "aKind", "bOffset", "bKind", "outOffset", "rows", "cols"};
  for (int i = 0; i < 8; i++)
    if (!get_i64(env, argv[1 + i], &v[i], names[i])) return NULL;
  const int64_t op = v[0], ka = v[2], kb = v[4], rows = v[6], cols = v[7];
  if (op < OP_ADD || op > OP_DIV || ka < 0 || ka > 3 || kb < 0 || kb > 3 || rows < 0 || cols < 1) {
    napi_throw_range_error(env, NULL, "farzi_blas.binaryFloat: invalid op, kinds or sizes");
    return NULL;
  }
  if (!in_bounds(v[1], operand_size((int)ka, rows, cols), byte_length) ||
      !in_bounds(v[3], operand_size((int)kb, rows, cols), byte_length) ||
      !in_bounds(v[5], rows * cols, byte_length)) {
    napi_throw_range_error(env, NULL, "farzi_blas.binaryFloat: an operand lies outside the buffer");
    return NULL;
  }
  char *p = (char *)base;
  struct binary_ctx ctx = {(const float *)(p + v[1]), (const float *)(p + v[3]),
                           (float *)(p + v[5]), cols, (int)op, (int)ka, (int)kb};
  parallel_rows(binary_chunk, &ctx, rows, rows * cols);
  return NULL;
}

// Row sums over the last axis: out[r] = Σ_c x[r·cols + c], in 8 float lanes (vectorised; closer to
// the exact sum than one running float).
VECTOR_LOOP static float row_sum(const float *restrict x, int64_t n) {
  float lanes[8] = {0, 0, 0, 0, 0, 0, 0, 0};
  int64_t c = 0;
  for (; c + 8 <= n; c += 8)
    for (int l = 0; l < 8; l++) lanes[l] += x[c + l];
  float total = 0;
  for (; c < n; c++) total += x[c];
  return total + (((lanes[0] + lanes[1]) + (lanes[2] + lanes[3])) +
                  ((lanes[4] + lanes[5]) + (lanes[6] + lanes[7])));
}

struct sum_rows_ctx {
  const float *x;
  float *out;
  int64_t cols;
};

static void sum_rows_chunk(void *arg, int64_t r0, int64_t r1) {
  const struct sum_rows_ctx *c = arg;
  for (int64_t r = r0; r < r1; r++) c->out[r] = row_sum(c->x + r * c->cols, c->cols);
}

// sumTrailing(buffer, xOffset, outOffset, rows, cols)
static napi_value sum_trailing(napi_env env, napi_callback_info info) {
  napi_value argv[5];
  void *base;
  size_t byte_length;
  if (!get_args(env, info, 5, argv, &base, &byte_length, "sumTrailing")) return NULL;
  int64_t x_off, out_off, rows, cols;
  if (!get_i64(env, argv[1], &x_off, "xOffset") || !get_i64(env, argv[2], &out_off, "outOffset") ||
      !get_i64(env, argv[3], &rows, "rows") || !get_i64(env, argv[4], &cols, "cols"))
    return NULL;
  if (rows < 0 || cols < 1) {
    napi_throw_range_error(env, NULL, "farzi_blas.sumTrailing: invalid sizes");
    return NULL;
  }
  if (!in_bounds(x_off, rows * cols, byte_length) || !in_bounds(out_off, rows, byte_length)) {
    napi_throw_range_error(env, NULL, "farzi_blas.sumTrailing: an operand lies outside the buffer");
    return NULL;
  }
  struct sum_rows_ctx ctx = {(const float *)((char *)base + x_off),
                             (float *)((char *)base + out_off), cols};
  parallel_rows(sum_rows_chunk, &ctx, rows, rows * cols);
  return NULL;
}

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
static napi_value adam_update(napi_env env, napi_callback_info info) {
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

static napi_value threads(napi_env env, napi_callback_info info) {
  napi_value out;
  CHECK(env, napi_create_int32(env, openblas_max_threads(), &out));
  return out;
}

static napi_value config(napi_env env, napi_callback_info info) {
  napi_value out;
  CHECK(env, napi_create_string_utf8(env, openblas_get_config(), NAPI_AUTO_LENGTH, &out));
  return out;
}

static napi_value init(napi_env env, napi_value exports) {
  napi_property_descriptor props[] = {
      {"sgemmBatched", NULL, sgemm_batched, NULL, NULL, NULL, napi_default, NULL},
      {"expFloat", NULL, exp_float, NULL, NULL, NULL, napi_default, NULL},
      {"softmaxXent", NULL, softmax_xent, NULL, NULL, NULL, napi_default, NULL},
      {"softmaxXentGrad", NULL, softmax_xent_grad, NULL, NULL, NULL, napi_default, NULL},
      {"layerNorm", NULL, layer_norm, NULL, NULL, NULL, napi_default, NULL},
      {"layerNormGrad", NULL, layer_norm_grad, NULL, NULL, NULL, napi_default, NULL},
      {"sumLeading", NULL, sum_leading, NULL, NULL, NULL, napi_default, NULL},
      {"sumTrailing", NULL, sum_trailing, NULL, NULL, NULL, napi_default, NULL},
      {"binaryFloat", NULL, binary_float, NULL, NULL, NULL, napi_default, NULL},
      {"adamUpdate", NULL, adam_update, NULL, NULL, NULL, napi_default, NULL},
      {"threads", NULL, threads, NULL, NULL, NULL, napi_default, NULL},
      {"config", NULL, config, NULL, NULL, NULL, napi_default, NULL},
  };
  CHECK(env, napi_define_properties(env, exports, sizeof props / sizeof props[0], props));
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)
