#!/usr/bin/env bash
# Validation-equal check of a change to the arithmetic (issue 36): the shipped ml-100k distillation
# (configs/farzi-sasrec-ml100k.json, [50×50], 30 outer steps) from one full-data teacher, run with
# this checkout (NEW_NAME) and with OLD_CHECKOUT (OLD_NAME, before the change), then fresh students
# (the small-data recipe of students.sh, seeds 42, 7, 123) on each distillation's best data.
# Writes DIR/distill-<name>.log, DIR/<name>-students.txt and runs under DIR/runs. Resumable:
# finished runs are kept. Without TEACHER (a finished run), one is trained first by this checkout
# (configs/sasrec-ml100k.json, seed 42, the benchmark's small full-data recipe: L 50, batch 32,
# up to 60 epochs, patience 3).
# Usage: [TEACHER=run-dir] tools/bench/scripts/equalDistillation.sh DIR NEW_NAME OLD_CHECKOUT OLD_NAME
set -euo pipefail
if [ $# -ne 4 ]; then
  sed -n '2,10p' "$0" >&2
  exit 2
fi
mkdir -p "$1/runs"
DIR=$(cd "$1" && pwd)
OLD=$(cd "$3" && pwd)
ROOT=$(cd "$(dirname "$0")/../../.." && pwd)
export FARZI_DATA_DIR=${FARZI_DATA_DIR:-$ROOT/../shared/data}
if [ -n "${TEACHER:-}" ] && [ ! -f "$TEACHER/metrics.json" ]; then
  echo "equalDistillation: TEACHER=$TEACHER is not a finished training run (no metrics.json)" >&2
  exit 2
fi
TEACHER=${TEACHER:-$DIR/runs/teacher}
if [ ! -f "$TEACHER/metrics.json" ]; then
  rm -rf "$TEACHER"
  (cd "$ROOT" && npx farzi train --config configs/sasrec-ml100k.json --set data.maxLength=50 \
    --set train.batchSize=32 --set train.epochs=60 --set train.earlyStopping.patience=3 \
    --out "$TEACHER") > "$TEACHER.log" 2>&1
fi
for variant in "$2" "$4"; do
  checkout=$ROOT
  [ "$variant" = "$4" ] && checkout=$OLD
  out=$DIR/runs/$variant
  if [ ! -f "$out/summary.json" ]; then
    (cd "$checkout" && npx farzi distill --config configs/farzi-sasrec-ml100k.json \
      --set distill.teacher.checkpoint="$TEACHER" --set distill.outerSteps=30 \
      --set distill.evalEvery=10 --out "$out") > "$DIR/distill-$variant.log" 2>&1
  fi
  (cd "$ROOT" && tools/bench/scripts/students.sh configs/farzi-sasrec-ml100k.json \
    "$DIR/runs/$variant-student" "{\"name\":\"farzi\",\"path\":\"$out/farzi-data.safetensors\"}" \
    42 7 123) > "$DIR/$variant-students.txt" 2>"$DIR/runs/$variant-students.log"
done
