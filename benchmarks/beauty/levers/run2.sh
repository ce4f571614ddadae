#!/usr/bin/env bash
# Beauty [50×20] step-0 data with a softer teacher (more signal on torso/tail items), one student seed 42.
set -uo pipefail
cd /work/main
export FARZI_DATA_DIR=../shared/data
L=benchmarks/beauty/levers/runs
T=benchmarks/beauty/runs/sasrec-full-lb16
C=configs/farzi-sasrec-beauty.json
S=tools/bench/scripts/students.sh
res=benchmarks/beauty/levers/results2.jsonl
for tt in 2; do
  d=$L/d-step0-tt$tt
  [ -f $d/summary.json ] || npx farzi distill --config $C --set distill.teacher.checkpoint=$T --set distill.outerSteps=0 --set distill.teacher.temperature=$tt --out $d > $d.log 2>&1
  $S $C $L/step0-tt$tt '{"name":"farzi","path":"'$d'/farzi-data.safetensors"}' 42 >> $res
done
echo done >> $res
