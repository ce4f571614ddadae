#!/bin/bash
# twenty-second session: Beauty-90 first distillation with backoff-1pct added (from /work/wt39); resumable
cd /work/wt39 && FARZI_DATA_DIR=/work/shared/data node tools/bench/dist/levers.js --dataset beauty --budget 200x5 --distillations 1 \
  --teachers /work/runs/beauty-full,/work/runs/beauty-full-s1042,/work/runs/beauty-full-s2042 \
  --distill-set distill.outerSteps=90 --levers recipe,backoff,backoff-1pct --out /work/bench/levers-beauty-90
