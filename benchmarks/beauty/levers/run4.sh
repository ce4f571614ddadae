#!/usr/bin/env bash
# Beauty [50×20], 30 outer steps: logit alignment with the teacher in the outer loss (distill.outerTeacher),
# one student (seed 42) judged on validation (5,000 fixed users), against ref-opt30-d16 (results1.jsonl,
# λ 0) and opt30-tt2 (results3.jsonl, teacher temperature 2 at initialisation, λ 0).
set -uo pipefail
cd /work/main
export FARZI_DATA_DIR=../shared/data
L=benchmarks/beauty/levers/runs
T=benchmarks/beauty/runs/sasrec-full-lb16
C=configs/farzi-sasrec-beauty.json
res=benchmarks/beauty/levers/results4.jsonl
run() { # name, sets...
  local name=$1; shift
  local d=$L/d-opt30-$name
  [ -f $d/summary.json ] || npx farzi distill --config $C --set distill.teacher.checkpoint=$T --set distill.outerSteps=30 "$@" --out $d > $d.log 2>&1 ||
    [ -f $d/summary.json ] || npx farzi distill --config $C --set distill.teacher.checkpoint=$T --set distill.outerSteps=30 "$@" --out $d --resume >> $d.log 2>&1
  tools/bench/scripts/students.sh $C $L/opt30-$name '{"name":"farzi","path":"'$d'/farzi-data.safetensors"}' 42 >> $res
}
run ot05 --set distill.outerTeacher.weight=0.5
run ot05-tt2 --set distill.outerTeacher.weight=0.5 --set distill.outerTeacher.temperature=2 --set distill.teacher.temperature=2
echo done >> $res
