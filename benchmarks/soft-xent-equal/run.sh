#!/usr/bin/env bash
# Validation-equal check of the fused soft-target cross-entropy (issue 36): this checkout ("fused")
# against OLD_CHECKOUT ("composed", a checkout of the composed log-softmax; the fused Adam kernels
# after it are bit-identical), from one full-data teacher.
# Usage: [TEACHER=run-dir] benchmarks/soft-xent-equal/run.sh OLD_CHECKOUT
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
export TEACHER=${TEACHER:-$ROOT/benchmarks/quality-methods-smoke/ml-100k/runs/full}
exec "$ROOT/tools/bench/scripts/equalDistillation.sh" "$HERE" fused "$1" composed
