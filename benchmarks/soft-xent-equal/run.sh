#!/usr/bin/env bash
# Validation-equal check of the fused soft-target cross-entropy (issue 36): the shipped ml-100k
# distillation (configs/farzi-sasrec-ml100k.json, 30 outer steps, one full-data teacher) run with
# this checkout (fused kernels) and with a checkout before them (OLD, the composed log-softmax; the
# fused Adam kernels after it are bit-identical), then fresh students (seeds 42, 7, 123) on each.
# Resumable: finished runs are kept. Usage: [TEACHER=run-dir] benchmarks/soft-xent-equal/run.sh OLD_CHECKOUT
set -euo pipefail
OLD=$(cd "$1" && pwd)
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
TEACHER=${TEACHER:-$ROOT/benchmarks/quality-methods-smoke/ml-100k/runs/full}
export FARZI_DATA_DIR=${FARZI_DATA_DIR:-$ROOT/../shared/data}
mkdir -p "$HERE/runs"
for variant in fused composed; do
  checkout=$ROOT
  [ "$variant" = composed ] && checkout=$OLD
  out=$HERE/runs/$variant
  if [ ! -f "$out/summary.json" ]; then
    (cd "$checkout" && npx farzi distill --config configs/farzi-sasrec-ml100k.json \
      --set distill.teacher.checkpoint="$TEACHER" --set distill.outerSteps=30 \
      --set distill.evalEvery=10 --out "$out") > "$out.log" 2>&1
  fi
  (cd "$ROOT" && tools/bench/scripts/students.sh configs/farzi-sasrec-ml100k.json \
    "$HERE/runs/$variant-student" "{\"name\":\"farzi\",\"path\":\"$out/farzi-data.safetensors\"}" \
    42 7 123) > "$HERE/$variant-students.txt" 2>"$HERE/runs/$variant-students.log"
done
