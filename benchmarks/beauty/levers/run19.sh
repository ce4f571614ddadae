#!/usr/bin/env bash
# Beauty [50×20], 30 outer steps, the shipped config with more of the outer loss on the teacher's
# distributions: λ 1 (the teacher's term only) and λ 0.8, one student each (seed 42) judged on
# validation (5,000 fixed users), against λ 0.5 (d-opt30-ot05: valid 0.0373) and λ 0 (0.0362).
set -uo pipefail
cd /work/main
export FARZI_DATA_DIR=../shared/data
L=benchmarks/beauty/levers/runs
T=benchmarks/beauty/runs/sasrec-full-lb16
C=configs/farzi-sasrec-beauty.json
res=benchmarks/beauty/levers/results19.jsonl
for w in 1 0.8; do
  d=$L/d-opt30-ot$w
  args=(--config $C --set distill.teacher.checkpoint=$T --set distill.outerSteps=30 --set distill.outerTeacher.weight=$w --out $d)
  [ -f $d/summary.json ] || npx farzi distill "${args[@]}" > $d.log 2>&1 ||
    [ -f $d/summary.json ] || npx farzi distill "${args[@]}" --resume >> $d.log 2>&1 || exit 1
  tools/bench/scripts/students.sh $C $L/opt30-ot$w '{"name":"farzi","path":"'$d'/farzi-data.safetensors"}' 42 >> $res
done
echo done >> $res
