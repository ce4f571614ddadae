#!/usr/bin/env bash
# Beauty [50×20], 30 outer steps: a larger real batch in the outer loss (256 sequences instead of 128, as on MovieLens-100K;
# Beauty's short histories give ~1,000 real targets per 128 sequences), one student (seed 42) judged
# on validation (5,000 fixed users), against ref-opt30-d16 (results1.jsonl).
set -uo pipefail
cd /work/main
export FARZI_DATA_DIR=../shared/data
L=benchmarks/beauty/levers/runs
T=benchmarks/beauty/runs/sasrec-full-lb16
C=configs/farzi-sasrec-beauty.json
res=benchmarks/beauty/levers/results6.jsonl
d=$L/d-opt30-rb256
[ -f $d/summary.json ] || npx farzi distill --config $C --set distill.teacher.checkpoint=$T --set distill.outerSteps=30 --set distill.realBatchSize=256 --out $d > $d.log 2>&1 ||
  [ -f $d/summary.json ] || npx farzi distill --config $C --set distill.teacher.checkpoint=$T --set distill.outerSteps=30 --set distill.realBatchSize=256 --out $d --resume >> $d.log 2>&1
tools/bench/scripts/students.sh $C $L/opt30-rb256 '{"name":"farzi","path":"'$d'/farzi-data.safetensors"}' 42 >> $res
echo done >> $res
