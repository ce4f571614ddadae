// Batched single-precision matrix products with OpenBLAS on the wasm heap.
#include "common.h"

// sgemmBatched(buffer, aOffset, bOffset, cOffset, m, n, k, transposeA, transposeB, aIndex, bIndex)
// For each output batch i: C[i] (m×n, row-major) = op(A[aIndex[i]]) · op(B[bIndex[i]]), where
// op(A) is m×k (A stored k×m when transposed) and op(B) is k×n (B stored n×k when transposed).
// Offsets are in bytes into `buffer`; A, B, C are densely packed batches of matrices.
// A product with a short inner dimension and a large output (the logits X·Eᵀ: [6400 × 50] ·
// [50 × 1683]) does little arithmetic per output value, so its time is memory traffic: sgemm with
// β = 0 first clears C, then accumulates into it, and a 43 MB C goes through memory twice more
// than it must. Here the rows of C go in blocks that stay in cache from the clearing to the last
// accumulation, the blocks split between threads (each a single-threaded sgemm on its own rows).
// Every value is computed by the same sgemm arithmetic over the same k products as one call.
#define BLOCKED_MAX_K 256
#define BLOCKED_MIN_OUTPUT (1 << 20)
#define BLOCK_OUTPUT_VALUES (128 * 1024)

struct blocked_job {
  const float *a, *b;
  float *c;
  int64_t m, n, k;
  bool trans_a, trans_b;
};

static void blocked_rows(void *ctx, int64_t r0, int64_t r1) {
  const struct blocked_job *j = ctx;
  int64_t rows = BLOCK_OUTPUT_VALUES / j->n;
  if (rows < 4) rows = 4;
  const int lda = j->trans_a ? (int)j->m : (int)j->k;
  const int ldb = j->trans_b ? (int)j->k : (int)j->n;
  for (int64_t r = r0; r < r1; r += rows) {
    const int64_t h = r + rows < r1 ? rows : r1 - r;
    // Row r of op(A): column r of a stored k × m A (transposed), else row r of an m × k A.
    const float *ar = j->trans_a ? j->a + r : j->a + r * j->k;
    cblas_sgemm(CblasRowMajor, j->trans_a ? CblasTrans : CblasNoTrans,
                j->trans_b ? CblasTrans : CblasNoTrans, (int)h, (int)j->n, (int)j->k, 1.0f, ar,
                lda, j->b, ldb, 0.0f, j->c + r * j->n, (int)j->n);
  }
}

static void blocked_sgemm(const float *a, const float *b, float *c, int64_t m, int64_t n,
                          int64_t k, bool trans_a, bool trans_b, int max_threads) {
  struct blocked_job job = {a, b, c, m, n, k, trans_a, trans_b};
  openblas_set_num_threads(1);
  parallel_rows(blocked_rows, &job, m, m * n);
  openblas_set_num_threads(max_threads);
}

// The transposed-A product with a long inner dimension and a narrow output — the embedding
// gradient dE = Gᵀ·X of a loss over K positions (G [K × V], X [K × D], D ≪ V, K in the thousands)
// — ran 1.1–1.2× faster (idle) the other way round (tools/bench/scripts/transposedProductAt.js): Cᵀ =
// Bᵀ·A into a scratch [n × m], then transposed into C. The sums are the same k products in
// OpenBLAS's order for the other operand layout (equal to rounding, not bit for bit).
#define SWAPPED_MIN_K 2048

static bool swapped_sgemm(const float *a, const float *b, float *c, int64_t m, int64_t n,
                          int64_t k) {
  float *t = malloc((size_t)(m * n) * sizeof(float));
  if (!t) return false;
  cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, (int)n, (int)m, (int)k, 1.0f, b, (int)n,
              a, (int)m, 0.0f, t, (int)m);
  // t is n × m row-major; C is m × n. Blocks of 32 × 32 keep both sides in cache.
  for (int64_t i0 = 0; i0 < m; i0 += 32)
    for (int64_t j0 = 0; j0 < n; j0 += 32) {
      const int64_t i1 = i0 + 32 < m ? i0 + 32 : m, j1 = j0 + 32 < n ? j0 + 32 : n;
      for (int64_t i = i0; i < i1; i++)
        for (int64_t j = j0; j < j1; j++) c[i * n + j] = t[j * m + i];
    }
  free(t);
  return true;
}

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
    if (k <= BLOCKED_MAX_K && m * n >= BLOCKED_MIN_OUTPUT) {
      blocked_sgemm(a + (int64_t)a_index[i] * m * k, b + (int64_t)b_index[i] * k * n, ci, m, n, k,
                    trans_a, trans_b, max_threads);
      continue;
    }
    if (trans_a && !trans_b && k >= SWAPPED_MIN_K && 4 * n <= m &&
        swapped_sgemm(a + (int64_t)a_index[i] * m * k, b + (int64_t)b_index[i] * k * n, ci, m, n,
                      k))
      continue;
    cblas_sgemm(CblasRowMajor, trans_a ? CblasTrans : CblasNoTrans,
                trans_b ? CblasTrans : CblasNoTrans, (int)m, (int)n, (int)k, 1.0f,
                a + (int64_t)a_index[i] * m * k, lda, b + (int64_t)b_index[i] * k * n, ldb,
                0.0f, ci, (int)n);
  }
  return NULL;
}
