#!/usr/bin/env bash
# The bench's Beauty [50×20] Farzi Data (λ 0, 90 outer steps: benchmarks/quality-beauty/runs/farzi-50x20)
# with the same three students as run7.sh by the same script: the like-for-like comparison with the
# aligned data (the bench's students validate on the same 5,000 users; these reproduced them exactly).
set -uo pipefail
cd /work/main
export FARZI_DATA_DIR=../shared/data
tools/bench/scripts/students.sh configs/farzi-sasrec-beauty.json benchmarks/beauty/levers/runs/opt90-ref '{"name":"farzi","path":"benchmarks/quality-beauty/runs/farzi-50x20/farzi-data.safetensors"}' 42 7 123 >> benchmarks/beauty/levers/results8.jsonl
echo done >> benchmarks/beauty/levers/results8.jsonl
