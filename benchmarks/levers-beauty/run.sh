#!/bin/bash
# Beauty [200x5] lever ablation over three distillations (teachers beauty-full, -s1042, -s2042).
# Runs from /work/wt37 (the twentieth session kernels; validation-equal). Distillation 1 of recipe and popularity-0.2 copied from q-beauty-L50 / beauty-pop02 (same config). Resumable.
cd /work/wt37 && FARZI_DATA_DIR=/work/shared/data node tools/bench/dist/levers.js --dataset beauty --budget 200x5 --distillations ${N:-3} \
  --teachers /work/runs/beauty-full,/work/runs/beauty-full-s1042,/work/runs/beauty-full-s2042 \
  --distill-set distill.outerSteps=30 --levers recipe,backoff,popularity-0.2 --out /work/bench/levers-beauty
