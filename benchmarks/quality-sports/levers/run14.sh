#!/usr/bin/env bash
# Sports [20×20] (0.18% of the events) with the shipped config: the outer loss aligned with the
# teacher (λ 0.5) and 90 outer steps, against the bench's λ 0 row (results-50x20-20x20.md: valid
# 0.0162 ± 0.0007, test 0.0103 ± 0.0004, 30 steps); three students (seeds 42, 7, 123) with the
# bench's recipe, validated on the config's 5,000 users like that row's students.
set -uo pipefail
cd /work/main
export FARZI_DATA_DIR=../shared/data
L=benchmarks/quality-sports/levers/runs
T=benchmarks/beauty/runs/sasrec-sports
C=configs/farzi-sasrec-sports.json
res=benchmarks/quality-sports/levers/results14.jsonl
d=$L/d-20x20-opt90-ot05
args=(--config $C --set distill.teacher.checkpoint=$T --set 'distill.size=[20,20]' --out $d)
[ -f $d/summary.json ] || npx farzi distill "${args[@]}" > $d.log 2>&1 ||
  [ -f $d/summary.json ] || npx farzi distill "${args[@]}" --resume >> $d.log 2>&1 || exit 1
tools/bench/scripts/students.sh $C $L/20x20-opt90-ot05 '{"name":"farzi","path":"'$d'/farzi-data.safetensors"}' 42 7 123 >> $res
echo done >> $res
