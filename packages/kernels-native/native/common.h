// Shared by the addon's kernel files: the includes, the argument checks every N-API function
// runs before touching the buffer, and the row-parallel runner of the elementwise kernels.
#ifndef FARZI_BLAS_COMMON_H
#define FARZI_BLAS_COMMON_H
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

#define VECTOR_LOOP __attribute__((target_clones("avx2", "default")))

// Row maximum with 8 independent lanes (a single running max is a dependency chain the compiler
// does not vectorise while NaN semantics are kept). NaN entries are skipped here; they still reach
// the row's sums, which makes the row NaN. Shared by softmax.c and softXent.c.
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

#define CHECK(env, call)                                                                          \
  do {                                                                                            \
    if ((call) != napi_ok) {                                                                      \
      napi_throw_error((env), NULL, "farzi_blas: N-API call failed: " #call);                    \
      return NULL;                                                                                \
    }                                                                                             \
  } while (0)

// Argument readers: each throws a JavaScript error naming the argument and returns 0 on failure.
int get_i64(napi_env env, napi_value v, int64_t *out, const char *name);
int get_f64(napi_env env, napi_value v, double *out, const char *name);
int get_i32_array(napi_env env, napi_value v, int32_t **data, size_t *length, const char *name);
// Whether `floats` float32 values at byte `offset` (4-aligned) lie inside the buffer.
int in_bounds(int64_t offset, int64_t floats, size_t byte_length);
// Reads exactly `count` arguments into argv and the ArrayBuffer in argv[0]; throws and returns 0
// otherwise. `name` is the function's name for the error messages.
int get_args(napi_env env, napi_callback_info info, size_t count, napi_value *argv, void **base,
             size_t *byte_length, const char *name);

// The thread count OpenBLAS started with (OPENBLAS_NUM_THREADS or the cores), read once.
int openblas_max_threads(void);
// Products below this many multiply-adds run on one thread (FARZI_BLAS_PARALLEL_MIN_WORK).
double parallel_min_work(void);

// Runs fn over rows [0, rows) split evenly over up to OpenBLAS's thread count; jobs under a
// million values stay on the calling thread.
typedef void (*rows_fn)(void *ctx, int64_t r0, int64_t r1);
void parallel_rows(rows_fn fn, void *ctx, int64_t rows, int64_t values);

// The addon's functions (one file per kernel family), registered in addon.c.
napi_value sgemm_batched(napi_env env, napi_callback_info info);
napi_value exp_float(napi_env env, napi_callback_info info);
napi_value softmax_xent(napi_env env, napi_callback_info info);
napi_value softmax_xent_grad(napi_env env, napi_callback_info info);
napi_value soft_xent(napi_env env, napi_callback_info info);
napi_value soft_xent_grad(napi_env env, napi_callback_info info);
napi_value soft_xent_grad_grad(napi_env env, napi_callback_info info);
napi_value softmax_rows(napi_env env, napi_callback_info info);
napi_value softmax_rows_grad(napi_env env, napi_callback_info info);
napi_value softmax_rows_grad_grad(napi_env env, napi_callback_info info);
napi_value layer_norm(napi_env env, napi_callback_info info);
napi_value layer_norm_grad(napi_env env, napi_callback_info info);
napi_value layer_norm_grad_grad(napi_env env, napi_callback_info info);
napi_value sum_leading(napi_env env, napi_callback_info info);
napi_value sum_trailing(napi_env env, napi_callback_info info);
napi_value max_trailing(napi_env env, napi_callback_info info);
napi_value binary_float(napi_env env, napi_callback_info info);
napi_value adam_update(napi_env env, napi_callback_info info);
napi_value adam_exact(napi_env env, napi_callback_info info);

#endif
