// N-API addon: single-precision matrix products with OpenBLAS, computed directly on the memory of
// TensorFlow.js's wasm backend (one ArrayBuffer that holds every tensor). Every offset and extent
// is checked against the buffer before OpenBLAS touches it.
// Kernels live one family per file (matmul, softmax, softXent, softmaxRows, layerNorm, reduce,
// elementwise, adam, adamExact); rowMath.h holds the row helpers softXent and softmaxRows share;
// common.c holds the argument checks and the row-parallel runner.
#include "common.h"

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
      {"softXent", NULL, soft_xent, NULL, NULL, NULL, napi_default, NULL},
      {"softXentGrad", NULL, soft_xent_grad, NULL, NULL, NULL, napi_default, NULL},
      {"softXentGradGrad", NULL, soft_xent_grad_grad, NULL, NULL, NULL, napi_default, NULL},
      {"softmaxRows", NULL, softmax_rows, NULL, NULL, NULL, napi_default, NULL},
      {"softmaxRowsGrad", NULL, softmax_rows_grad, NULL, NULL, NULL, napi_default, NULL},
      {"softmaxRowsGradGrad", NULL, softmax_rows_grad_grad, NULL, NULL, NULL, napi_default, NULL},
      {"layerNorm", NULL, layer_norm, NULL, NULL, NULL, napi_default, NULL},
      {"layerNormGrad", NULL, layer_norm_grad, NULL, NULL, NULL, napi_default, NULL},
      {"layerNormGradGrad", NULL, layer_norm_grad_grad, NULL, NULL, NULL, napi_default, NULL},
      {"sumLeading", NULL, sum_leading, NULL, NULL, NULL, napi_default, NULL},
      {"sumTrailing", NULL, sum_trailing, NULL, NULL, NULL, napi_default, NULL},
      {"maxTrailing", NULL, max_trailing, NULL, NULL, NULL, napi_default, NULL},
      {"binaryFloat", NULL, binary_float, NULL, NULL, NULL, napi_default, NULL},
      {"adamUpdate", NULL, adam_update, NULL, NULL, NULL, napi_default, NULL},
      {"adamExact", NULL, adam_exact, NULL, NULL, NULL, napi_default, NULL},
      {"threads", NULL, threads, NULL, NULL, NULL, napi_default, NULL},
      {"config", NULL, config, NULL, NULL, NULL, napi_default, NULL},
  };
  CHECK(env, napi_define_properties(env, exports, sizeof props / sizeof props[0], props));
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)
