#!/usr/bin/env bash
# Sports [50×20], 30 outer steps (the table's Farzi row: λ 0, 0.0135 ± 0.0003 test, valid on all
# users 0.0184 ± 0.0002) with the outer loss aligned with the teacher (distill.outerTeacher.weight
# 0.5, Beauty's choice), then three students (seeds 42, 7, 123) with the bench's recipe, validated
# on all 35,598 users like that row's students, to choose λ on validation.
set -uo pipefail
cd /work/main
export FARZI_DATA_DIR=../shared/data
L=benchmarks/quality-sports/levers/runs
T=benchmarks/beauty/runs/sasrec-sports
C=configs/farzi-sasrec-sports.json
res=benchmarks/quality-sports/levers/results10.jsonl
mkdir -p $L
d=$L/d-opt30-ot05
args=(--config $C --set distill.teacher.checkpoint=$T --set distill.outerSteps=30 --set distill.outerTeacher.weight=0.5 --out $d)
[ -f $d/summary.json ] || npx farzi distill "${args[@]}" > $d.log 2>&1 ||
  [ -f $d/summary.json ] || npx farzi distill "${args[@]}" --resume >> $d.log 2>&1
tools/bench/scripts/students.sh $C $L/opt30-ot05 '{"name":"farzi","path":"'$d'/farzi-data.safetensors"}' 42 7 123 -- --set eval.validUsers=35598 >> $res
echo done >> $res
