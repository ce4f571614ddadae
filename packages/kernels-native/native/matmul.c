// Batched single-precision matrix products with OpenBLAS on the wasm heap.
#include "common.h"

// sgemmBatched(buffer, aOffset, bOffset, cOffset, m, n, k, transposeA, transposeB, aIndex, bIndex)
// For each output batch i: C[i] (m×n, row-major) = op(A[aIndex[i]]) · op(B[bIndex[i]]), where
// op(A) is m×k (A stored k×m when transposed) and op(B) is k×n (B stored n×k when transposed).
// Offsets are in bytes into `buffer`; A, B, C are densely packed batches of matrices.
napi_value sgemm_batched(napi_env env, napi_callback_info info) {
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
