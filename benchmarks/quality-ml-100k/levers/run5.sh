#!/usr/bin/env bash
# MovieLens-100K [20×50], 100 outer steps: logit alignment with the teacher in the outer loss
# (distill.outerTeacher), judged on the distillation's validation curve (every 10 steps) against the
# bench's run (benchmarks/quality-ml-100k/runs/farzi-20x50, λ 0: same config, teacher, seed); then
# three students (seeds 42, 7, 123) with the bench's recipe (tools/bench/scripts/students.sh ≙
# datasetQuality's small-data recipe at μ 50; here μ 20 → batch 20 is passed explicitly).
set -uo pipefail
cd /work/main
export FARZI_DATA_DIR=../shared/data
L=benchmarks/quality-ml-100k/levers/runs
mkdir -p $L
C=configs/farzi-sasrec-ml100k.json
T=benchmarks/quality-ml-100k/runs/full
res=benchmarks/quality-ml-100k/levers/results5.jsonl
run() { # name, sets...
  local name=$1; shift
  local d=$L/d-20x50-$name
  [ -f $d/summary.json ] || npx farzi distill --config $C --set 'distill.size=[20,50]' --set distill.teacher.checkpoint=$T "$@" --out $d > $d.log 2>&1 ||
    [ -f $d/summary.json ] || npx farzi distill --config $C --set 'distill.size=[20,50]' --set distill.teacher.checkpoint=$T "$@" --out $d --resume >> $d.log 2>&1
  tools/bench/scripts/students.sh $C $L/s-20x50-$name '{"name":"farzi","path":"'$d'/farzi-data.safetensors"}' 42 7 123 -- --set train.batchSize=20 --set train.earlyStopping.patience=4 >> $res
}
run ot05 --set distill.outerTeacher.weight=0.5
echo done >> $res
