// Elementwise add / subtract / multiply / divide with the broadcasts models make.
#include "common.h"

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
napi_value binary_float(napi_env env, napi_callback_info info) {
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
