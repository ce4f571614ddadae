{
  "targets": [
    {
      "target_name": "farzi_blas",
      "sources": ["native/blas.c"],
      "include_dirs": ["/usr/include/x86_64-linux-gnu/openblas-pthread", "/usr/include/openblas"],
      "libraries": ["-lopenblas"],
      "cflags": ["-O2", "-std=c11", "-Wall"]
    }
  ]
}
