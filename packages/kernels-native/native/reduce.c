// Sums over leading axes (column sums) and over the last axis (row sums); row maxima.
#include "common.h"

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
napi_value sum_leading(napi_env env, napi_callback_info info) {
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

// Whether any of n values is NaN (vectorised: no early exit).
VECTOR_LOOP static int any_nan(const float *restrict x, int64_t n) {
  int found = 0;
  for (int64_t v = 0; v < n; v++) found |= isnan(x[v]);
  return found;
}

// The row maximum over the last axis, as TensorFlow.js's Max: NaN when the row has one.
static void max_rows_chunk(void *arg, int64_t r0, int64_t r1) {
  const struct sum_rows_ctx *c = arg;
  for (int64_t r = r0; r < r1; r++) {
    const float *x = c->x + r * c->cols;
    c->out[r] = any_nan(x, c->cols) ? NAN : row_max(x, c->cols);
  }
}

// A reduction of rows × cols over the last axis into `rows` values: (buffer, xOffset, outOffset,
// rows, cols), `name` for the errors.
static napi_value trailing(napi_env env, napi_callback_info info, const char *name, rows_fn fn) {
  napi_value argv[5];
  void *base;
  size_t byte_length;
  char msg[128];
  if (!get_args(env, info, 5, argv, &base, &byte_length, name)) return NULL;
  int64_t x_off, out_off, rows, cols;
  if (!get_i64(env, argv[1], &x_off, "xOffset") || !get_i64(env, argv[2], &out_off, "outOffset") ||
      !get_i64(env, argv[3], &rows, "rows") || !get_i64(env, argv[4], &cols, "cols"))
    return NULL;
  if (rows < 0 || cols < 1) {
    snprintf(msg, sizeof msg, "farzi_blas.%s: invalid sizes", name);
    napi_throw_range_error(env, NULL, msg);
    return NULL;
  }
  if (!in_bounds(x_off, rows * cols, byte_length) || !in_bounds(out_off, rows, byte_length)) {
    snprintf(msg, sizeof msg, "farzi_blas.%s: an operand lies outside the buffer", name);
    napi_throw_range_error(env, NULL, msg);
    return NULL;
  }
  struct sum_rows_ctx ctx = {(const float *)((char *)base + x_off),
                             (float *)((char *)base + out_off), cols};
  parallel_rows(fn, &ctx, rows, rows * cols);
  return NULL;
}

// sumTrailing(buffer, xOffset, outOffset, rows, cols)
napi_value sum_trailing(napi_env env, napi_callback_info info) {
  return trailing(env, info, "sumTrailing", sum_rows_chunk);
}

// maxTrailing(buffer, xOffset, outOffset, rows, cols)
napi_value max_trailing(napi_env env, napi_callback_info info) {
  return trailing(env, info, "maxTrailing", max_rows_chunk);
}
