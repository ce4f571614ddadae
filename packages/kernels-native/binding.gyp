{
  "targets": [
    {
      "target_name": "farzi_blas",
      "sources": [
        "native/addon.c",
        "native/common.c",
        "native/matmul.c",
        "native/softmax.c",
        "native/softXent.c",
        "native/softmaxRows.c",
        "native/layerNorm.c",
        "native/reduce.c",
        "native/elementwise.c",
        "native/adam.c",
        "native/adamExact.c"
      ],
      "include_dirs": ["/usr/include/x86_64-linux-gnu/openblas-pthread", "/usr/include/openblas"],
      "libraries": ["-lopenblas", "-lmvec", "-lm", "-lpthread"],
      "cflags": ["-O3", "-std=c11", "-Wall", "-ffast-math", "-fno-finite-math-only"]
    }
  ]
}
