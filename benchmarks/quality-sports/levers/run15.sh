#!/usr/bin/env bash
# Beauty's GRU4Rec student learning rate (0.03, chosen on Beauty's validation) on Sports: GRU4Rec
# students on the aligned 90-step Sports data (d-opt90-ot05), the bench's GRU4Rec student config
# (its seed-42 run's config.json) and recipe with only the learning rate changed; three seeds in
# parallel. The bench's row (λ 0 data, 30 steps, lr 0.003): test 0.0070 ± 0.0004, 39.7% of 0.0176.
set -uo pipefail
cd /work/main
export FARZI_DATA_DIR=../shared/data
L=benchmarks/quality-sports/levers/runs
C=benchmarks/quality-sports/runs/gru4rec-on-farzi-50x20-s42/config.json
res=benchmarks/quality-sports/levers/results15.jsonl
src='{"name":"farzi","path":"'$L'/d-opt90-ot05/farzi-data.safetensors"}'
for s in 42 7 123; do
  tools/bench/scripts/students.sh $C $L/gru-opt90-ot05-lr03 "$src" $s -- --set train.learningRate=0.03 > /dev/null 2> $L/gru-opt90-ot05-lr03-s$s.out &
done
wait
tools/bench/scripts/students.sh $C $L/gru-opt90-ot05-lr03 "$src" 42 7 123 -- --set train.learningRate=0.03 >> $res
echo done >> $res
