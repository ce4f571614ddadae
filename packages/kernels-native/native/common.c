// Argument checks and the row-parallel runner shared by every kernel file (see common.h).
#include "common.h"

// Products below this many multiply-adds (m·n·k summed over the batch) run on one thread;
// FARZI_BLAS_PARALLEL_MIN_WORK overrides it (0: every product uses all of OpenBLAS's threads).
#define PARALLEL_MIN_WORK 5.0e7

double parallel_min_work(void) {
  static double value = -1;
  if (value < 0) {
    const char *env = getenv("FARZI_BLAS_PARALLEL_MIN_WORK");
    char *end = NULL;
    const double parsed = env ? strtod(env, &end) : -1;
    value = env && end != env && parsed >= 0 ? parsed : PARALLEL_MIN_WORK;
  }
  return value;
}

int get_i64(napi_env env, napi_value v, int64_t *out, const char *name) {
  if (napi_get_value_int64(env, v, out) != napi_ok) {
    char msg[128];
    snprintf(msg, sizeof msg, "farzi_blas: %s must be a number", name);
    napi_throw_type_error(env, NULL, msg);
    return 0;
  }
  return 1;
}

int get_i32_array(napi_env env, napi_value v, int32_t **data, size_t *length,
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

int in_bounds(int64_t offset, int64_t floats, size_t byte_length) {
  return offset >= 0 && offset % 4 == 0 && floats >= 0 &&
         (uint64_t)offset + (uint64_t)floats * 4u <= (uint64_t)byte_length;
}

int get_f64(napi_env env, napi_value v, double *out, const char *name) {
  if (napi_get_value_double(env, v, out) != napi_ok) {
    char msg[128];
    snprintf(msg, sizeof msg, "farzi_blas: %s must be a number", name);
    napi_throw_type_error(env, NULL, msg);
    return 0;
  }
  return 1;
}

// Reads exactly `count` arguments into argv and the ArrayBuffer in argv[0]; throws and returns 0
// otherwise. `name` is the function's name for the error messages.
int get_args(napi_env env, napi_callback_info info, size_t count, napi_value *argv,
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
int openblas_max_threads(void) {
  static int max_threads = 0;
  if (max_threads == 0) max_threads = openblas_get_num_threads();
  return max_threads;
}

// Row-parallel execution of the elementwise kernels: rows split evenly over up to OpenBLAS's
// thread count (so OPENBLAS_NUM_THREADS=1 keeps everything on one thread); chunks run on
// short-lived pthreads while the calling thread runs the first. Small jobs stay on one thread.
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

void parallel_rows(rows_fn fn, void *ctx, int64_t rows, int64_t values) {
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
