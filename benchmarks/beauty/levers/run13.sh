#!/usr/bin/env bash
# Beauty [20×15] (0.195% of the events) with the shipped config: the outer loss aligned with the
# teacher (λ 0.5) and 90 outer steps, against the bench's λ 0 row (results-20x15.md: valid 0.0236 ±
# 0.0007, test 0.0175 ± 0.0004, 90 steps); three students (seeds 42, 7, 123) with the bench's
# recipe, validated on the config's 5,000 users like that row's students.
set -uo pipefail
cd /work/main
export FARZI_DATA_DIR=../shared/data
L=benchmarks/beauty/levers/runs
T=benchmarks/beauty/runs/sasrec-full-lb16
C=configs/farzi-sasrec-beauty.json
res=benchmarks/beauty/levers/results13.jsonl
d=$L/d-20x15-opt90-ot05
args=(--config $C --set distill.teacher.checkpoint=$T --set 'distill.size=[20,15]' --out $d)
[ -f $d/summary.json ] || npx farzi distill "${args[@]}" > $d.log 2>&1 ||
  [ -f $d/summary.json ] || npx farzi distill "${args[@]}" --resume >> $d.log 2>&1 || exit 1
tools/bench/scripts/students.sh $C $L/20x15-opt90-ot05 '{"name":"farzi","path":"'$d'/farzi-data.safetensors"}' 42 7 123 >> $res
echo done >> $res
