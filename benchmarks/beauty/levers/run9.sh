#!/usr/bin/env bash
# Beauty [50×20], 30 outer steps, the shipped config (outer loss aligned with the teacher, λ 0.5)
# with the real positions of the outer loss weighted by inverse popularity,
# distill.outerPopularityPower α (argument; default 0.5): one student (seed 42) judged on validation
# (5,000 fixed users), against d-opt30-ot05 (α 0: valid 0.0373, results4.jsonl).
set -uo pipefail
cd /work/main
export FARZI_DATA_DIR=../shared/data
a=${1:-0.5}
L=benchmarks/beauty/levers/runs
T=benchmarks/beauty/runs/sasrec-full-lb16
C=configs/farzi-sasrec-beauty.json
res=benchmarks/beauty/levers/results9.jsonl
d=$L/d-opt30-ot05-pop$a
args=(--config $C --set distill.teacher.checkpoint=$T --set distill.outerSteps=30 --set distill.outerPopularityPower=$a --out $d)
[ -f $d/summary.json ] || npx farzi distill "${args[@]}" > $d.log 2>&1 ||
  [ -f $d/summary.json ] || npx farzi distill "${args[@]}" --resume >> $d.log 2>&1
tools/bench/scripts/students.sh $C $L/opt30-ot05-pop$a '{"name":"farzi","path":"'$d'/farzi-data.safetensors"}' 42 >> $res
echo "done α $a" >> $res
