#!/usr/bin/env bash
# Beauty [50×20], 30 outer steps, the shipped config (aligned outer loss, λ 0.5) with a longer inner
# horizon, distill.innerSteps 20 instead of 10: one student (seed 42) judged on validation (5,000
# fixed users), against d-opt30-ot05 (T 10: valid 0.0373, results4.jsonl).
set -uo pipefail
cd /work/main
export FARZI_DATA_DIR=../shared/data
L=benchmarks/beauty/levers/runs
T=benchmarks/beauty/runs/sasrec-full-lb16
C=configs/farzi-sasrec-beauty.json
res=benchmarks/beauty/levers/results12.jsonl
d=$L/d-opt30-ot05-t20
args=(--config $C --set distill.teacher.checkpoint=$T --set distill.outerSteps=30 --set distill.innerSteps=20 --out $d)
[ -f $d/summary.json ] || npx farzi distill "${args[@]}" > $d.log 2>&1 ||
  [ -f $d/summary.json ] || npx farzi distill "${args[@]}" --resume >> $d.log 2>&1 || exit 1
tools/bench/scripts/students.sh $C $L/opt30-ot05-t20 '{"name":"farzi","path":"'$d'/farzi-data.safetensors"}' 42 >> $res
echo done >> $res
